/* The query page: YASGUI (vendored, no other host), the project's prefixes, the catalog as
   one-click examples, the query kept in the URL fragment (#query=...), links to resource
   pages and download links. */
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
    yasqe: { autocompleters: ["variables", "prefixes"] },
    yasr: { pluginOrder: ["table", "response"], defaultPlugin: "table", prefixes: config.prefix_map }
  });

  function tab() { return yasgui.getTab(); }
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
  new MutationObserver(function () { localise(document.getElementById("yasgui")); })
    .observe(document.getElementById("yasgui"), { childList: true, subtree: true });

  if (initial) { tab().query(); }
  window.kazkgYasgui = yasgui;
})();
