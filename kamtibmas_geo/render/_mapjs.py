"""The browser side of :mod:`kamtibmas_geo.render._map`: one script and one style sheet.

The script reads the packed data (see :mod:`kamtibmas_geo.render._mapdata`) from a
``<script type="application/json">`` block and builds every layer in JavaScript: the
hexagons as one GeoJSON layer per period with a style function on the class property,
tooltips built from the properties on hover, boundaries, clustered points, heat, activities
and Poskamling with their coverage. Every string from the data goes through ``esc()``
before it reaches HTML. Layers hidden at start are built only when first switched on.
``window.__kg`` exposes the map, the layers and a ``ready`` flag (tests, screenshots).
The tokens ``__KG_DATA_ID__`` and ``__KG_MAP__`` are filled in by
:class:`kamtibmas_geo.render._page.DataLayers` when the page is rendered; the script is written
to the page verbatim, never compiled as a template.
"""

from __future__ import annotations

__all__ = ["CSS", "SCRIPT"]

CSS = """
.kg-legend{background:rgba(255,255,255,.92);padding:6px 8px;font:12px/1.35 sans-serif;
 border-radius:4px;box-shadow:0 1px 4px rgba(0,0,0,.3);max-height:60vh;overflow:auto}
.kg-legend h4{margin:4px 0 2px;font-size:12px}
.kg-legend i{display:inline-block;width:14px;height:12px;margin-right:5px;
 vertical-align:middle;border:1px solid #888}
.kg-legend p{margin:4px 0 0;max-width:220px}
.kg-pt{background:none;border:none}
.kg-pt span{display:block;width:18px;height:18px;border-radius:9px;border:1px solid #fff;
 color:#fff;font:bold 9px/18px sans-serif;text-align:center;box-shadow:0 0 2px #000}
.kg-search{background:#fff;padding:4px;border-radius:4px;box-shadow:0 1px 4px rgba(0,0,0,.3)}
.kg-search input{width:190px;font-size:13px;padding:3px}
.kg-search ul{list-style:none;margin:2px 0 0;padding:0;max-height:220px;overflow:auto}
.kg-search li{padding:2px 4px;cursor:pointer;font-size:12px}
.kg-search li:hover,.kg-search li.on{background:#e6f0ff}
.kg-tip{font:12px/1.35 sans-serif}
.leaflet-kgb-pane > svg{pointer-events:none}
.leaflet-kgb-pane > svg path.leaflet-interactive{pointer-events:stroke}
"""

SCRIPT = r"""
(function () {
  var D = JSON.parse(document.getElementById(__KG_DATA_ID__).textContent);
  var map = __KG_MAP__;
  var T = D.text;
  var KG = window.__kg = {map: map, layers: {}, ready: false};
  if (map.options.maxZoom == null) { map.options.maxZoom = 19; }
  if (map.options.minZoom == null) { map.options.minZoom = 5; }
  if (D.tiles) { L.tileLayer(D.tiles.url, D.tiles.options).addTo(map); }
  function esc(s) {
    return String(s == null ? '' : s).replace(/[&<>"'`=\/]/g, function (c) {
      return '&#' + c.charCodeAt(0) + ';';
    });
  }
  function num(v, d) { return (v == null || isNaN(v)) ? '\u2013' : (+v).toFixed(d); }
  function ring(a) {
    var out = [], x = a[0], y = a[1];
    out.push([x / 1e5, y / 1e5]);
    for (var i = 2; i < a.length; i += 2) {
      x += a[i]; y += a[i + 1]; out.push([x / 1e5, y / 1e5]);
    }
    return out;
  }
  function multi(polys) {
    return {type: 'MultiPolygon', coordinates: polys.map(function (p) { return p.map(ring); })};
  }
  function lazy(build) {
    var g = L.featureGroup(), done = false;
    g.on('add', function () { if (!done) { done = true; build(g); } });
    return g;
  }
  var svg = L.svg({padding: 0.3}), cv = L.canvas({padding: 0.3, tolerance: 0});
  map.createPane('kgb').style.zIndex = 410;
  var bsvg = L.svg({pane: 'kgb', padding: 0.3});
  var overlays = [], bounds = L.latLngBounds([]);
  function addOverlay(key, label, layer, shown) {
    KG.layers[key] = layer;
    overlays.push([label, layer]);
    if (shown) { layer.addTo(map); }
  }
  // ---------------------------------------------------------------- hexagons
  function hexTip(S, i) {
    var p = S.p, g = function (c) { return p[c] ? p[c][i] : null; };
    var h = '<div class="kg-tip"><b>' + esc(g('desa_name') || '') + '</b>';
    if (g('kecamatan_name')) { h += '<br>' + T.kec + ' ' + esc(g('kecamatan_name')); }
    h += '<br><small>' + esc(S.ids[i]) + '</small>';
    if (p.score) {
      h += '<br>' + T.score + ': <b>' + num(g('score'), 2) + '</b>';
      if (g('score_class') != null) { h += ' (' + T.cls + ' ' + esc(g('score_class')) + ')'; }
    }
    var parts = [['score_base', T.base], ['score_decay', T.decay], ['score_seasonal', T.seasonal],
                 ['score_smoothed', T.smoothed]], pp = [];
    parts.forEach(function (q) { if (p[q[0]]) { pp.push(q[1] + ' ' + num(g(q[0]), 2)); } });
    if (pp.length) { h += '<br><small>' + pp.join(' \u00b7 ') + '</small>'; }
    if (p.gi_z) {
      h += '<br>Gi*: z=' + num(g('gi_z'), 2) + ', p=' + num(g('gi_p'), 3);
      if (g('gi_label')) { h += ' (' + esc(g('gi_label')) + ')'; }
    }
    if (p.n_incidents) {
      var n = g('n_incidents');
      h += '<br>' + T.incidents + ': <b>' + (n == null ? '\u2013' : esc(n)) + '</b>';
      var c = [];
      S.types.forEach(function (t, j) {
        var v = S.counts[j][i];
        if (v) { c.push(esc((D.ptypes[t] || {}).label || t) + ' ' + (v < 0 ? '&lt;' + D.k : v)); }
      });
      if (c.length) { h += '<br><small>' + c.join(', ') + '</small>'; }
    }
    if (p.n_activities) { h += '<br>' + T.activities + ': ' + esc(g('n_activities')); }
    var tr = g('trend_label') || g('trend_class');
    if (tr) { h += '<br>' + T.trend + ': ' + esc(tr); }
    if (p.coverage_gap) { h += '<br>' + T.gap + ': ' + num(g('coverage_gap'), 2); }
    return h + '</div>';
  }
  function hexLayer(S, mode) {
    var feats = new Array(S.ids.length);
    for (var i = 0; i < S.ids.length; i++) {
      feats[i] = {type: 'Feature', properties: {i: i},
                  geometry: {type: 'Polygon', coordinates: [ring(S.ring[i])]}};
    }
    var col = mode === 'gi' ? S.p.gi_bin : S.p.score_class;
    var pal = mode === 'gi' ? D.gi_colours : D.score_colours;
    var lyr = L.geoJSON({type: 'FeatureCollection', features: feats}, {
      renderer: cv,
      style: function (f) {
        var v = col ? col[f.properties.i] : null;
        var fc = v == null ? '#bdbdbd' : (pal[v] || '#bdbdbd');
        return {color: '#555', weight: 0.4, opacity: 0.7, fillColor: fc,
                fillOpacity: v == null ? 0.15 : 0.6};
      }
    });
    lyr.bindTooltip(function (l) { return hexTip(S, l.feature.properties.i); },
                    {sticky: true, className: 'kg-hex-tip'});
    return lyr;
  }
  var periodLayers = [];
  D.hexsets.forEach(function (S, n) {
    var build = function (g) { hexLayer(S, 'score').addTo(g); };
    var lyr = n === 0 ? L.featureGroup() : lazy(build);
    if (n === 0) { build(lyr); bounds.extend(lyr.getBounds()); }
    addOverlay('score_' + n, esc(S.label), lyr, n === 0);
    periodLayers.push(lyr);
    if (S.p.gi_bin && n === 0) {
      addOverlay('gi', esc(T.layer_gi), lazy(function (g) { hexLayer(S, 'gi').addTo(g); }), false);
    }
  });
  map.on('overlayadd', function (e) {
    if (periodLayers.indexOf(e.layer) < 0) { return; }
    // after the layer control has finished its own click handling
    setTimeout(function () {
      periodLayers.forEach(function (l) {
        if (l !== e.layer && map.hasLayer(l)) { map.removeLayer(l); }
      });
    }, 0);
  });
  // ---------------------------------------------------------------- boundaries
  var desaLayer = null;
  function boundaryLayer(B, style, tip) {
    var feats = B.g.map(function (g, i) {
      return {type: 'Feature', properties: {i: i}, geometry: multi(g)};
    });
    var lyr = L.geoJSON({type: 'FeatureCollection', features: feats},
                        {renderer: bsvg, pane: 'kgb', style: style, interactive: !!tip});
    if (tip) {
      lyr.bindTooltip(function (l) {
        var i = l.feature.properties.i, h = '<b>' + esc(B.name[i]) + '</b>';
        if (B.kec && B.kec[i]) { h += '<br>' + T.kec + ' ' + esc(B.kec[i]); }
        if (B.kab && B.kab[i]) { h += '<br>' + esc(B.kab[i]); }
        return h;
      }, {sticky: true});
    }
    return lyr;
  }
  if (D.bounds) {
    var BB = D.bounds;
    if (BB.desa) {
      desaLayer = boundaryLayer(BB.desa, function () {
        return {color: '#444', weight: 0.8, opacity: 0.7, fill: false};
      }, true);
      addOverlay('desa', esc(T.layer_desa), desaLayer, true);
    }
    if (BB.kecamatan) {
      addOverlay('kecamatan', esc(T.layer_kec), boundaryLayer(BB.kecamatan, function () {
        return {color: '#222', weight: 1.8, opacity: 0.8, fill: false};
      }, true), true);
    }
    if (BB.kabupaten) {
      var kl = boundaryLayer(BB.kabupaten, function () {
        return {color: '#000', weight: 3, opacity: 0.9, fill: false, dashArray: '6 4'};
      }, true);
      addOverlay('kabupaten', esc(T.layer_kab), kl, true);
      if (!bounds.isValid()) { bounds.extend(kl.getBounds()); }
    }
  }
  // ---------------------------------------------------------------- points
  function ptHtml(P, i, types) {
    var t = types[P.keys[P.t[i]]] || {};
    var h = '<div class="kg-tip"><b>' + esc(t.label || P.keys[P.t[i]]) + '</b>';
    if (P.time && P.time[i]) { h += '<br>' + T.time + ': ' + esc(P.time[i]); }
    if (P.addr && P.addr[i]) { h += '<br>' + T.address + ': ' + esc(P.addr[i]); }
    if (P.note && P.note[i]) { h += '<br>' + T.note + ': ' + esc(P.note[i]); }
    return h + '</div>';
  }
  if (D.points) {
    var P = D.points, icons = {};
    P.keys.forEach(function (k) {
      var t = D.ptypes[k] || {colour: '#636363', abbr: '?'};
      icons[k] = L.divIcon({className: 'kg-pt', iconSize: [18, 18],
        html: '<span style="background:' + esc(t.colour) + '">' + esc(t.abbr) + '</span>'});
    });
    var cl = L.markerClusterGroup({showCoverageOnHover: false, maxClusterRadius: 60,
                                   chunkedLoading: false, disableClusteringAtZoom: 18});
    var ms = new Array(P.lat.length);
    for (var i = 0; i < P.lat.length; i++) {
      ms[i] = L.marker([P.lat[i], P.lon[i]], {icon: icons[P.keys[P.t[i]]], kg: i});
    }
    cl.on('click', function (e) {
      L.popup().setLatLng(e.layer.getLatLng())
        .setContent(ptHtml(P, e.layer.options.kg, D.ptypes)).openOn(map);
    });
    addOverlay('points', esc(T.layer_points), cl, true);
    cl.addLayers(ms);
    addOverlay('heat', esc(T.layer_heat), lazy(function (g) {
      var hp = P.lat.map(function (v, j) { return [v, P.lon[j], 1]; });
      L.heatLayer(hp, {radius: 14, blur: 16, minOpacity: 0.25}).addTo(g);
    }), false);
  }
  if (D.heat_cells) {
    var H = D.heat_cells;
    addOverlay('heat', esc(T.layer_heat_cells), lazy(function (g) {
      var hp = H.lat.map(function (v, j) { return [v, H.lon[j], H.w[j]]; });
      L.heatLayer(hp, {radius: 20, blur: 18, minOpacity: 0.25, max: 1}).addTo(g);
    }), false);
  }
  if (D.activities) {
    var A = D.activities;
    addOverlay('activities', esc(T.layer_act), lazy(function (g) {
      for (var i = 0; i < A.lat.length; i++) {
        var t = D.atypes[A.keys[A.t[i]]] || {colour: '#3182bd'};
        L.circleMarker([A.lat[i], A.lon[i]], {renderer: svg, radius: 4, weight: 1,
          color: '#fff', fillColor: t.colour, fillOpacity: 0.9, kg: i}).addTo(g);
      }
      g.bindTooltip(function (l) { return ptHtml(A, l.options.kg, D.atypes); });
    }), false);
  }
  function postLayer(Q, colour, dash, label) {
    var g = L.featureGroup();
    for (var i = 0; i < Q.lat.length; i++) {
      L.circle([Q.lat[i], Q.lon[i]], {renderer: svg, radius: Q.r[i], color: colour, weight: 1.5,
        dashArray: dash, fillOpacity: 0.08, interactive: false}).addTo(g);
      L.circleMarker([Q.lat[i], Q.lon[i]], {renderer: svg, radius: 6, color: '#000', weight: 1.5,
        fillColor: colour, fillOpacity: 1, kg: i}).addTo(g);
    }
    g.bindTooltip(function (l) {
      var i = l.options.kg;
      return '<b>' + label + '</b>' + (Q.name[i] ? ': ' + esc(Q.name[i]) : '') +
        (Q.status && Q.status[i] ? ' (' + esc(Q.status[i]) + ')' : '') +
        '<br>' + T.radius + ' ' + esc(Q.r[i]) + ' m';
    });
    return g;
  }
  if (D.posts) {
    addOverlay('posts', esc(T.layer_posts), postLayer(D.posts, '#1a9850', null, T.post), true);
  }
  if (D.proposed) {
    addOverlay('proposed', esc(T.layer_proposed),
               postLayer(D.proposed, '#7b3294', '5 5', T.post + ' (' + T.proposed + ')'), true);
  }
  // ---------------------------------------------------------------- controls
  var ctl = L.control.layers(null, {}, {collapsed: false, position: 'topright'});
  overlays.forEach(function (o) { ctl.addOverlay(o[1], o[0]); });
  ctl.addTo(map);
  L.control.fullscreen({position: 'topleft'}).addTo(map);
  var legend = L.control({position: 'bottomright'});
  legend.onAdd = function () {
    var div = L.DomUtil.create('div', 'kg-legend');
    div.innerHTML = D.legend_html;
    L.DomEvent.disableScrollPropagation(div);
    return div;
  };
  legend.addTo(map);
  // search by desa/kelurahan name
  var S0 = D.search;
  if (S0 && S0.name.length) {
    var search = L.control({position: 'topleft'});
    search.onAdd = function () {
      var div = L.DomUtil.create('div', 'kg-search');
      var inp = L.DomUtil.create('input', '', div);
      inp.type = 'search'; inp.placeholder = T.search; inp.setAttribute('aria-label', T.search);
      var ul = L.DomUtil.create('ul', '', div);
      L.DomEvent.disableClickPropagation(div);
      L.DomEvent.disableScrollPropagation(div);
      var hits = [];
      function go(j) {
        var b = S0.bbox[j];
        map.fitBounds([[b[1], b[0]], [b[3], b[2]]], {maxZoom: 16, animate: false});
        ul.innerHTML = ''; inp.value = S0.name[j];
      }
      function norm(s) {
        return String(s).toLowerCase().normalize('NFKD').replace(/[^a-z0-9 ]/g, '');
      }
      var idx = S0.name.map(norm);
      inp.addEventListener('input', function () {
        var q = norm(inp.value); ul.innerHTML = ''; hits = [];
        if (q.length < 2) { return; }
        for (var j = 0; j < idx.length && hits.length < 10; j++) {
          if (idx[j].indexOf(q) >= 0) { hits.push(j); }
        }
        hits.forEach(function (j, n) {
          var li = L.DomUtil.create('li', n === 0 ? 'on' : '', ul);
          li.textContent = S0.name[j] + (S0.kec[j] ? ' \u2013 ' + T.kec + ' ' + S0.kec[j] : '');
          li.addEventListener('click', function () { go(j); });
        });
      });
      inp.addEventListener('keydown', function (e) {
        if (e.key === 'Enter' && hits.length) { go(hits[0]); }
      });
      return div;
    };
    search.addTo(map);
  }
  if (bounds.isValid()) { map.fitBounds(bounds); }
  requestAnimationFrame(function () { requestAnimationFrame(function () { KG.ready = true; }); });
})();
"""
