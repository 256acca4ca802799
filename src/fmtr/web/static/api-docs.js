// Starts Swagger UI (served by the app from the swagger-ui-bundle-v2 package) on the element
// naming the OpenAPI document. A file of its own: the pages' Content-Security-Policy allows
// the app's own scripts only, no inline script.
window.addEventListener("DOMContentLoaded", function () {
  var node = document.getElementById("swagger-ui");
  if (!node || typeof SwaggerUIBundle === "undefined") return;
  window.ui = SwaggerUIBundle({
    url: node.getAttribute("data-openapi"),
    domNode: node,
    deepLinking: false,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
    tryItOutEnabled: false,
  });
});
