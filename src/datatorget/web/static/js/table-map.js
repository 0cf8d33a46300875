/* The map of a table's rows: Leaflet draws the rows the data API gives as GeoJSON, on tiles that the
   visitor's browser fetches from the address the page names. The table on the page holds the same rows,
   so the map adds a view and takes nothing away without scripts. No inline handlers: the page's markup
   carries the addresses and words as data attributes. */
(function () {
  "use strict";

  var SWEDEN = [62.5, 16.5];
  var MARKER = { radius: 7, color: "#0f3d5e", weight: 2, fillColor: "#1a7f64", fillOpacity: 0.85 };

  function popupFor(properties) {
    var list = document.createElement("dl");
    list.className = "map-popup";
    Object.keys(properties || {}).slice(0, 12).forEach(function (name) {
      var value = properties[name];
      if (value === null || value === undefined || value === "") {
        return;
      }
      var term = document.createElement("dt");
      var detail = document.createElement("dd");
      term.textContent = name;
      detail.textContent = typeof value === "object" ? JSON.stringify(value) : String(value);
      list.appendChild(term);
      list.appendChild(detail);
    });
    return list;
  }

  function start() {
    var element = document.getElementById("map");
    var status = document.getElementById("map-status");
    if (!element || typeof window.L === "undefined") {
      return;
    }
    var L = window.L;
    element.textContent = "";
    element.classList.add("map--live");
    var map = L.map(element, { zoomControl: false, scrollWheelZoom: false, keyboard: true });
    L.control.zoom({ zoomInTitle: element.dataset.zoomIn, zoomOutTitle: element.dataset.zoomOut }).addTo(map);
    if (element.dataset.tiles) {
      L.tileLayer(element.dataset.tiles, { attribution: element.dataset.attribution, maxZoom: 19 }).addTo(map);
    }
    map.setView(SWEDEN, 4);

    function failed() {
      if (status) {
        status.textContent = element.dataset.error;
      }
    }

    fetch(element.dataset.geojson, { credentials: "same-origin", headers: { Accept: "application/geo+json" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("HTTP " + response.status);
        }
        return response.json();
      })
      .then(function (data) {
        var layer = L.geoJSON(data, {
          pointToLayer: function (_feature, latlng) {
            return L.circleMarker(latlng, MARKER);
          },
          style: function () {
            return MARKER;
          },
          onEachFeature: function (feature, featureLayer) {
            featureLayer.bindPopup(popupFor(feature.properties));
          }
        }).addTo(map);
        if (layer.getLayers().length) {
          map.fitBounds(layer.getBounds(), { padding: [24, 24], maxZoom: 15 });
        }
      })
      .catch(failed);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
