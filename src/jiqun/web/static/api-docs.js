// Starts the vendored Swagger UI on /api/v1/docs (a file, not an inline script: the page runs
// under the site's Content-Security-Policy, script-src 'self').
(function () {
  "use strict";
  var el = document.getElementById("swagger-ui");
  if (!el || typeof window.SwaggerUIBundle !== "function") {
    return;
  }
  window.ui = window.SwaggerUIBundle({
    url: el.getAttribute("data-openapi-url"),
    dom_id: "#swagger-ui",
    deepLinking: true,
    presets: [window.SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
    // the online validator badge would call validator.swagger.io: offline and outside the CSP
    validatorUrl: null,
  });
})();
