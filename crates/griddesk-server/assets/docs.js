/* Starts Swagger UI on /api/docs from the embedded bundle (kept out of the page so the
 * Content-Security-Policy needs no inline script). */
(function () {
  "use strict";
  window.addEventListener("DOMContentLoaded", function () {
    var el = document.getElementById("swagger-ui");
    window.ui = SwaggerUIBundle({
      url: el.dataset.specUrl,
      domNode: el,
      deepLinking: true,
      tryItOutEnabled: true,
      presets: [SwaggerUIBundle.presets.apis],
      layout: "BaseLayout"
    });
  });
})();
