/* The query page: YASGUI (vendored, no other host), the project's prefixes (predeclared by
   the endpoint), the catalog as one-click examples, the query kept in the URL fragment
   (#query=...), links to resource pages, download links, and errors shown as a message with
   their place in the query marked. */
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("kazkg-config").textContent);
  var BASE = "https://w3id.org/kazkg/";

  function fromFragment() {
    var match = /(?:^#|&)query=([^&]*)/.exec(window.location.hash);
    return match ? decodeURIComponent(match[1].replace(/\+/g, " ")) : null;
  }

  var YasguiClass = window.Yasgui.default || window.Yasgui;
  var yasgui = new YasguiClass(document.getElementById("yasgui"), {
    requestConfig: { endpoint: config.endpoint, method: "POST" },
    copyEndpointOnNewTab: false,
    persistenceId: null,
    populateFromUrl: false,
    endpointCatalogueOptions: { getData: function () { return [{ endpoint: config.endpoint }]; } },
    // YASQE's own check knows only the PREFIX lines in the text, and the endpoint predeclares
    // the project's prefixes: the server's answer names a real error with its place instead.
    yasqe: { autocompleters: ["variables", "prefixes"], syntaxErrorCheck: false },
    yasr: { pluginOrder: ["table", "response"], defaultPlugin: "table", prefixes: config.prefix_map }
  });

  function tab() { return yasgui.getTab(); }

  // A 400 from the endpoint carries {"error": {"message", "line", "column"}}: show the message
  // (not the raw JSON) and mark the spot in the editor.
  var marked = null;
  function format(text, values) {
    return text.replace(/%\((\w+)\)s/g, function (all, name) { return values[name]; });
  }
  function renderError(summary) {
    var error = null;
    try { error = JSON.parse(summary.text).error; } catch (e) { error = null; }
    var box = document.createElement("div");
    box.className = "query-error-message";
    var head = document.createElement("strong");
    head.textContent = config.texts.error + " ";
    box.appendChild(head);
    if (!error) {
      box.appendChild(document.createTextNode(format(config.texts.failed, { status: summary.status || "?" })));
      return box;
    }
    var message = String(error.message || "");
    if (error.line) {
      var where = format(config.texts.position, { line: error.line, column: error.column || 1 });
      var link = document.createElement("button");
      link.type = "button";
      link.className = "error-place";
      link.textContent = where;
      link.title = config.texts.at;
      link.addEventListener("click", function () { show(error.line, error.column); });
      box.appendChild(link);
      box.appendChild(document.createTextNode(": "));
      message = message.replace(/^line \d+, column \d+: /, "");
      show(error.line, error.column);
    }
    var text = document.createElement("span");
    text.textContent = message;
    box.appendChild(text);
    return box;
  }
  function show(line, column) {
    var editor = tab().getYasqe();
    if (!editor) { return; }
    if (marked) { marked.clear(); }
    var from = { line: line - 1, ch: Math.max(0, (column || 1) - 1) };
    var to = { line: line - 1, ch: from.ch + 1 };
    if (editor.getLine(from.line) !== undefined && from.ch >= editor.getLine(from.line).length) {
      from.ch = Math.max(0, editor.getLine(from.line).length - 1);
      to.ch = from.ch + 1;
    }
    marked = editor.markText(from, to, { className: "query-error-mark" });
    editor.setCursor(from);
  }

  // YASGUI's own words (it has no translations of its own): exact labels and a few counts,
  // replaced with the page's language as YASGUI draws them.
  var ui = config.ui || {};
  var patterns = (ui.patterns || []).map(function (p) { return [new RegExp("^" + p[0] + "$"), p[1]]; });
  function translated(text) {
    var trimmed = text.trim();
    if (!trimmed) { return null; }
    if (Object.prototype.hasOwnProperty.call(ui.exact || {}, trimmed)) { return text.replace(trimmed, ui.exact[trimmed]); }
    for (var i = 0; i < patterns.length; i++) {
      var match = patterns[i][0].exec(trimmed);
      if (match) {
        return text.replace(trimmed, patterns[i][1].replace(/\$(\d)/g, function (all, n) { return match[Number(n)]; }));
      }
    }
    return null;
  }
  function translateUi(root) {
    if (!ui.exact) { return; }
    var walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT, null);
    var node;
    while ((node = walker.nextNode())) {
      if (node.parentElement && node.parentElement.closest(".CodeMirror, .dataTable tbody")) { continue; }
      var text = translated(node.nodeValue);
      if (text !== null && text !== node.nodeValue) { node.nodeValue = text; }
    }
    root.querySelectorAll("[title], [placeholder], [aria-label]").forEach(function (el) {
      ["title", "placeholder", "aria-label"].forEach(function (name) {
        var value = el.getAttribute(name);
        var text = value && translated(value);
        if (text !== null && text !== undefined && text !== value) { el.setAttribute(name, text); }
      });
    });
  }

  // YASGUI's own controls, made readable to assistive technology.
  function label() {
    document.querySelectorAll("#yasgui textarea").forEach(function (t) {
      if (!t.getAttribute("aria-label")) { t.setAttribute("aria-label", "SPARQL"); }
    });
    document.querySelectorAll("#yasgui input:not([aria-label])").forEach(function (input) {
      input.setAttribute("aria-label", input.getAttribute("placeholder") || config.endpoint);
    });
    document.querySelectorAll("#yasgui select:not([aria-label])").forEach(function (select) {
      select.setAttribute("aria-label", config.texts.rows);
    });
    document.querySelectorAll("#yasgui .CodeMirror-scroll:not([tabindex])").forEach(function (el) {
      el.setAttribute("tabindex", "0");
    });
  }
  // The tab sets YASR's error renderers (a warning about mixed content); ours comes after it.
  tab().getYasr().config.errorRenderers = (tab().getYasr().config.errorRenderers || []).concat([renderError]);
  // YASGUI re-throws a failed request after drawing it; the page shows the error, so the
  // promise's rejection is handled here rather than left to the console.
  window.addEventListener("unhandledrejection", function (event) {
    var reason = event.reason;
    if (reason instanceof Error && /^\{\s*"error"/.test(reason.message)) { event.preventDefault(); }
  });
  var initial = fromFragment();
  tab().setQuery(initial || config.default_query);

  function remember(query) {
    var url = window.location.pathname + window.location.search + "#query=" + encodeURIComponent(query);
    window.history.replaceState(null, "", url);
  }

  function updateDownloads(query) {
    var box = document.getElementById("downloads");
    box.hidden = false;
    box.querySelectorAll("a[data-format]").forEach(function (a) {
      a.href = config.endpoint + "?query=" + encodeURIComponent(query) + "&format=" + a.dataset.format;
    });
  }

  yasgui.on("query", function (instance, t) {
    var query = t.getQuery();
    remember(query);
    updateDownloads(query);
  });

  document.querySelectorAll("button.example").forEach(function (button) {
    button.addEventListener("click", function () {
      var example = config.examples[button.dataset.name];
      tab().setQuery(example);
      tab().query();
    });
  });
  document.querySelectorAll("a.nojs").forEach(function (a) { a.hidden = true; });

  // IRIs of this dataset open their page on this server, not at w3id.org.
  function localise(root) {
    root.querySelectorAll("a[href^='" + BASE + "']").forEach(function (a) {
      var path = a.getAttribute("href").slice(BASE.length);
      if (/^(resource|graph)\//.test(path)) { a.setAttribute("href", "/" + path); }
      else if (/^ontology/.test(path)) { a.setAttribute("href", "/" + path); }
      a.removeAttribute("target");
    });
  }
  new MutationObserver(function () { var root = document.getElementById("yasgui"); localise(root); label(); translateUi(root); })
    .observe(document.getElementById("yasgui"), { childList: true, subtree: true });

  label();
  translateUi(document.getElementById("yasgui"));
  if (initial) { tab().query(); }
  window.kazkgYasgui = yasgui;
})();
