// Renders the served OpenAPI document with Swagger UI. A file of its own, not an inline script:
// the page's Content-Security-Policy allows scripts from this origin only.
"use strict";
window.addEventListener("DOMContentLoaded", function () {
  window.ui = window.SwaggerUIBundle({
    url: "/openapi.json",
    dom_id: "#swagger-ui",
    deepLinking: true,
    // "Try it out" is on from the start: requests go to the document's server, "/" (this origin).
    tryItOutEnabled: true,
    // The default validator badge calls a public service; this page must work offline.
    validatorUrl: null,
    presets: [window.SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
  });
});
