// Renders the served OpenAPI document with Swagger UI. A file of its own, not an inline script:
// the page's Content-Security-Policy allows scripts from this origin only.
"use strict";
window.addEventListener("DOMContentLoaded", function () {
  window.ui = window.SwaggerUIBundle({
    url: "/openapi.json",
    dom_id: "#swagger-ui",
    // Deep links put a link inside each operation's toggle button: nested controls that screen
    // readers cannot reach (axe: nested-interactive).
    deepLinking: false,
    // "Try it out" is on from the start: requests go to the document's server, "/" (this origin).
    tryItOutEnabled: true,
    // The default validator badge calls a public service; this page must work offline.
    validatorUrl: null,
    presets: [window.SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
  });
  // Swagger UI's server picker has no accessible name; give it one whenever it is (re)drawn.
  new MutationObserver(function () {
    var select = document.querySelector("select#servers:not([aria-label])");
    if (select) select.setAttribute("aria-label", "Server");
  }).observe(document.getElementById("swagger-ui"), { childList: true, subtree: true });
});
