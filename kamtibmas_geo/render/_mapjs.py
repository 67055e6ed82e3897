"""The browser side of :mod:`kamtibmas_geo.render._map`: one script and one style sheet.

The script reads the packed data (see :mod:`kamtibmas_geo.render._mapdata` and
:mod:`kamtibmas_geo.render._codec`) from a ``<script type="application/json">`` block and
builds every layer in JavaScript:

* the hexagons: the cell ids are decoded, grouped by their resolution-6 ancestor (cells
  are sorted, so a group is a run), and drawn into canvas tiles of an ``L.GridLayer``; each
  cell's outline comes from h3-js (``cellToBoundary``) when a tile first needs it. Class 1-2
  cells are drawn from zoom 13 and 11 on; where a hexagon would be smaller than a few
  pixels it is drawn as a small square, so the top classes stay visible over a whole
  kabupaten. The tooltip finds the cell under the pointer with ``latLngToCell`` and a
  binary search in the sorted ids; columns are decoded when first asked for;
* boundaries, clustered incidents (off at start), heat, activities and Poskamling;
* the title block, the "Prioritas" panel, the legend of the layers that are on, the
  attributions, the search box (official names and names as staff write them).

Every string from the data goes through ``esc()`` before it reaches HTML, or is set with
``textContent``. ``window.__kg`` exposes the map, the layers, a ``ready`` flag, ``settle()``
(tiles drawn, no animation running), ``print()`` (hide the controls for a picture) and
``focus()`` (one Polsek) for tests and pictures. The tokens ``__KG_DATA_ID__`` and
``__KG_MAP__`` are filled in by :class:`kamtibmas_geo.render._page.DataLayers`; the script
is written to the page verbatim, never compiled as a template.
"""

from __future__ import annotations

__all__ = ["CSS", "SCRIPT"]

CSS = """
.kg-box{background:rgba(255,255,255,.94);padding:6px 8px;font:12px/1.35 sans-serif;
 border-radius:4px;box-shadow:0 1px 4px rgba(0,0,0,.35)}
.kg-title{max-width:min(460px,calc(100vw - 90px))}
.kg-title h1{font-size:15px;margin:0 0 2px;line-height:1.25}
.kg-title div{color:#333}
.kg-title .kg-warn{color:#8a1c00;font-weight:bold;margin-top:3px}
.kg-title .kg-focus{font-weight:bold;margin-top:2px}
.kg-legend{max-height:calc(50vh - 60px);overflow:auto;max-width:250px}
.kg-legend h4{margin:5px 0 2px;font-size:12px}
.kg-legend .kg-row{white-space:nowrap}
.kg-legend p{margin:2px 0 0;white-space:normal;color:#333}
.kg-sw{display:inline-block;width:14px;height:12px;margin-right:5px;vertical-align:middle;
 border:1px solid #777}
.kg-dot{display:inline-block;min-width:16px;height:16px;border-radius:8px;margin-right:5px;
 vertical-align:middle;color:#fff;font:bold 8px/16px sans-serif;text-align:center;
 border:1px solid #fff;box-shadow:0 0 2px #000}
.kg-sq{display:inline-block;width:11px;height:11px;margin:0 7px 0 2px;vertical-align:middle;
 border:2px solid #111}
.kg-ring{display:inline-block;width:14px;height:14px;border-radius:8px;margin-right:5px;
 vertical-align:middle;border:1.5px solid #111}
.kg-line{display:inline-block;width:18px;margin-right:5px;vertical-align:middle;
 border-top:2px solid #222}
.kg-heat{display:inline-block;width:40px;height:10px;margin-right:5px;vertical-align:middle;
 background:linear-gradient(90deg,blue,cyan,lime,yellow,red)}
.kg-prio{overflow:auto;width:290px}
.kg-prio .kg-kab{font-weight:bold;margin:6px 0 0;border-bottom:1px solid #999}
.kg-prio .kg-pol{margin:4px 0 1px;font-weight:bold;color:#333}
.kg-prio ol{margin:0;padding-left:0;list-style:none}
.kg-prio li{cursor:pointer;padding:2px 3px;border-radius:3px}
.kg-prio li:hover,.kg-prio li:focus{background:#e6f0ff}
.kg-prio .kg-none{color:#666;padding-left:3px}
.kg-chip{display:inline-block;width:16px;text-align:center;border-radius:3px;margin-right:4px;
 font-weight:bold;border:1px solid #777}
.kg-panel summary{cursor:pointer;font-weight:bold;font-size:13px}
.kg-note{color:#444;margin:2px 0}
.kg-pt{background:none;border:none}
.kg-pt span{display:block;width:18px;height:18px;border-radius:9px;border:1px solid #fff;
 color:#fff;font:bold 8px/18px sans-serif;text-align:center;box-shadow:0 0 2px #000}
.kg-ew{background:none;border:none}
.kg-ew span{display:block;width:16px;height:16px;transform:rotate(45deg);border:2px solid #fff;
 box-shadow:0 0 3px #000}
.kg-ew b{display:block;transform:rotate(-45deg);color:#fff;font:bold 7px/16px sans-serif;
 text-align:center}
.kg-ew-closed span{opacity:.45;border:2px dashed #333}
.kg-ewa{background:none;border:none}
.kg-ewa span{display:block;width:26px;height:26px;border-radius:13px;background:#7b3294;
 color:#fff;font:bold 12px/26px sans-serif;text-align:center;border:2px solid #fff;
 box-shadow:0 0 3px #000}
.kg-post{background:none;border:none}
.kg-post span{display:block;width:9px;height:9px;border:2px solid #111;
 box-shadow:0 0 0 1px #fff}
.kg-search{background:#fff;padding:4px;border-radius:4px;box-shadow:0 1px 4px rgba(0,0,0,.3)}
.kg-search input{width:190px;font-size:13px;padding:3px}
.kg-search ul{list-style:none;margin:2px 0 0;padding:0;max-height:220px;overflow:auto}
.kg-search li{padding:2px 4px;cursor:pointer;font-size:12px}
.kg-search li:hover,.kg-search li.on{background:#e6f0ff}
.kg-tip{font:12px/1.35 sans-serif}
.kg-label{background:none;border:none}
.kg-num{background:none;border:none}
.kg-num span{display:block;width:18px;height:18px;border-radius:10px;background:#1f4e9c;
 color:#fff;font:bold 12px/18px sans-serif;text-align:center;border:1px solid #fff;
 box-shadow:0 0 3px #000}
.kg-focus-list{margin-top:2px;max-width:460px}
.kg-label span{display:block;transform:translate(-50%,-50%);white-space:nowrap;
 font:bold 11px sans-serif;color:#333;text-shadow:0 0 2px #fff,0 0 2px #fff,0 0 3px #fff}
.leaflet-control-layers-expanded{max-height:calc(50vh - 30px);overflow:auto}
.leaflet-control-attribution{max-width:calc(100vw - 20px);white-space:normal}
.leaflet-kgb-pane > svg{pointer-events:none}
.leaflet-kgb-pane > svg path.leaflet-interactive{pointer-events:stroke}
.kg-print .leaflet-control-zoom,.kg-print .leaflet-control-layers,.kg-print .kg-search,
.kg-print .leaflet-control-zoom-fullscreen,.kg-print .kg-prio,.kg-print .leaflet-tooltip,
.kg-print .leaflet-popup{display:none !important}
.kg-print *{transition:none !important;animation:none !important}
@media (max-width:700px){
 .kg-title h1{font-size:13px}
 .kg-title{font-size:11px}
 .kg-prio{width:auto;max-width:calc(100vw - 30px)}
 .kg-legend{max-width:calc(100vw - 30px);max-height:40vh}
 .kg-search input{width:140px}
}
"""

SCRIPT = r"""
(function () {
  var D = JSON.parse(document.getElementById(__KG_DATA_ID__).textContent);
  var map = __KG_MAP__;
  var T = D.text;
  var KG = window.__kg = {map: map, layers: {}, ready: false, sets: [], priority: D.priority || []};
  var phone = map.getContainer().clientWidth < 700;
  if (map.options.maxZoom == null) { map.options.maxZoom = 19; }
  if (map.options.minZoom == null) { map.options.minZoom = 5; }
  if (D.tiles) { L.tileLayer(D.tiles.url, D.tiles.options).addTo(map); }
  function esc(s) {
    return String(s == null ? '' : s).replace(/[&<>"'`=\/]/g, function (c) {
      return '&#' + c.charCodeAt(0) + ';';
    });
  }
  function num(v, d) {
    if (v == null || isNaN(v)) { return '\u2013'; }
    return (+v).toFixed(d).replace('.', T.decimal);
  }
  function whole(v) { return (v == null || isNaN(v)) ? '\u2013' : String(Math.round(v)); }
  function el(tag, cls, parent, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text != null) { e.textContent = text; }
    if (parent) { parent.appendChild(e); }
    return e;
  }
  // ---------------------------------------------------------------- decoding
  function bytes(s) {
    var b = atob(s), a = new Uint8Array(b.length);
    for (var i = 0; i < b.length; i++) { a[i] = b.charCodeAt(i); }
    return a;
  }
  function varints(s) {
    var a = bytes(s), out = [], v = 0, m = 1;
    for (var i = 0; i < a.length; i++) {
      var b = a[i];
      v += (b & 127) * m;
      if (b & 128) { m *= 128; } else { out.push(v); v = 0; m = 1; }
    }
    return out;
  }
  function column(o, n) {
    var out = new Float64Array(n), s = Math.pow(10, o.k), i = 0, j, r;
    function code(c) {
      if (c === 0) { return NaN; }
      var z = c - 1;
      return (z % 2 === 0 ? z / 2 : -(z + 1) / 2) / s;
    }
    if (o.r) {
      var f = varints(o.r);
      for (j = 0; j < f.length; j += 2) {
        var v = code(f[j + 1]);
        for (r = 0; r < f[j] && i < n; r++) { out[i++] = v; }
      }
    } else {
      var c = varints(o.d);
      for (; i < c.length && i < n; i++) { out[i] = code(c[i]); }
    }
    return out;
  }
  // ---------------------------------------------------------------- cells
  function Cells(S, owner, base) {
    this.S = S; this.base = base; this.cache = {};
    if (owner) {
      this.V = owner.V; this.n = owner.n; this.res = owner.res; this.shift = owner.shift;
      this.geo = owner.geo; this.groups = owner.groups;
    } else {
      var I = S.ids, d = varints(I.b), V = new Float64Array(d.length), t = 0;
      for (var i = 0; i < d.length; i++) { t += d[i]; V[i] = t; }
      this.V = V; this.n = V.length; this.res = I.res; this.shift = 3 * (15 - I.res);
      this.geo = {ring: new Array(V.length), centre: new Array(V.length)};
      this.groups = this.group();
    }
  }
  Cells.prototype.split = function (i) {
    var v = this.V[i], s = this.shift, tail = Math.pow(2, s) - 1;
    if (s >= 32) {
      var k = Math.pow(2, s - 32);
      return [0xFFFFFFFF, v * k + (k - 1)];
    }
    var w = Math.pow(2, 32 - s), lo = (v % w) * Math.pow(2, s) + tail;
    return [lo >>> 0, Math.floor(v / w)];
  };
  Cells.prototype.id = function (i) {
    var p = this.split(i);
    return h3.splitLongToH3Index(p[0], p[1]);
  };
  Cells.prototype.find = function (cell) {
    var p = h3.h3IndexToSplitLong(cell), s = this.shift, v;
    v = s >= 32 ? Math.floor(p[1] / Math.pow(2, s - 32))
                : p[1] * Math.pow(2, 32 - s) + Math.floor((p[0] >>> 0) / Math.pow(2, s));
    var a = 0, b = this.n - 1;
    while (a <= b) {
      var m = (a + b) >> 1;
      if (this.V[m] === v) { return m; }
      if (this.V[m] < v) { a = m + 1; } else { b = m - 1; }
    }
    return -1;
  };
  Cells.prototype.ring = function (i) {
    var r = this.geo.ring[i];
    if (!r) { r = this.geo.ring[i] = h3.cellToBoundary(this.split(i)); }
    return r;
  };
  Cells.prototype.centre = function (i) {
    var c = this.geo.centre[i];
    if (!c) { c = this.geo.centre[i] = h3.cellToLatLng(this.split(i)); }
    return c;
  };
  Cells.prototype.group = function () {
    // runs of cells with one resolution-6 ancestor (the ids are sorted), with a padded bbox
    var g = Math.max(0, this.res - 6), div = Math.pow(8, g), out = [], start = 0;
    for (var i = 1; i <= this.n; i++) {
      if (i < this.n && Math.floor(this.V[i] / div) === Math.floor(this.V[start] / div)) {
        continue;
      }
      var parent = h3.cellToParent(this.split(start), this.res - g);
      var ring = h3.cellToBoundary(parent), b = [90, 180, -90, -180];
      ring.forEach(function (p) {
        b[0] = Math.min(b[0], p[0]); b[1] = Math.min(b[1], p[1]);
        b[2] = Math.max(b[2], p[0]); b[3] = Math.max(b[3], p[1]);
      });
      var pad = g > 0 ? 0.012 : 0.002;
      out.push({a: start, b: i, box: [b[0] - pad, b[1] - pad, b[2] + pad, b[3] + pad]});
      start = i;
    }
    return out;
  };
  Cells.prototype.col = function (name) {
    if (name in this.cache) { return this.cache[name]; }
    var o = this.S.p[name], out = null;
    if (o && Array.isArray(o)) { out = column(this.S.c[name], this.n); }
    else if (o) { out = column(o, this.n); }
    else if (this.base) { out = this.base.col(name); }
    this.cache[name] = out;
    return out;
  };
  Cells.prototype.text = function (name, i, disp) {
    var o = this.S.p[name];
    if (!Array.isArray(o)) { return this.base ? this.base.text(name, i, disp) : null; }
    var v = this.col(name)[i];
    if (isNaN(v)) { return null; }
    return disp && this.S.disp && this.S.disp[name] ? this.S.disp[name][v] : o[v];
  };
  Cells.prototype.count = function (j, i) {
    if (this.base && !this.S.types.length) { return this.base.count(j, i); }
    var key = 'count' + j;
    if (!(key in this.cache)) { this.cache[key] = column(this.S.counts[j], this.n); }
    return this.cache[key][i];
  };
  Cells.prototype.types = function () {
    return (this.base && !this.S.types.length) ? this.base.types() : this.S.types;
  };
  Cells.prototype.bounds = function () {
    var b = L.latLngBounds([]);
    this.groups.forEach(function (g) { b.extend([[g.box[0], g.box[1]], [g.box[2], g.box[3]]]); });
    return b;
  };
  D.hexsets.forEach(function (S, n) {
    var owner = S.ids.same != null ? KG.sets[S.ids.same] : null;
    var base = S.base != null ? KG.sets[S.base] : null;
    KG.sets.push(new Cells(S, owner, base));
  });
  // ---------------------------------------------------------------- drawing
  var EDGE = {};
  // class 1 (and cells without a class) from zoom 14, class 2 from zoom 12, 3-5 always
  function shown(mode, v, z) {
    if (isNaN(v)) { return z >= 14; }
    if (mode === 'gi') { return v !== 0 || z >= 14; }
    return v >= (z >= 14 ? 1 : (z >= 12 ? 2 : 3));
  }
  function drawTile(C, mode, canvas, coords) {
    var z = coords.z, W = 256 * Math.pow(2, z), x0 = coords.x * 256, y0 = coords.y * 256;
    var lng = function (x) { return x / W * 360 - 180; };
    var lat = function (y) {
      var k = Math.PI - 2 * Math.PI * y / W;
      return 180 / Math.PI * Math.atan(0.5 * (Math.exp(k) - Math.exp(-k)));
    };
    var west = lng(x0), east = lng(x0 + 256), north = lat(y0), south = lat(y0 + 256);
    var px = function (p) { return (p[1] + 180) / 360 * W - x0; };
    var py = function (p) {
      var s = Math.sin(p[0] * Math.PI / 180);
      return (0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI)) * W - y0;
    };
    var cls = C.col(mode === 'gi' ? 'gi_bin' : 'score_class');
    if (!cls) { return; }
    if (!(C.res in EDGE)) { EDGE[C.res] = h3.getHexagonEdgeLengthAvg(C.res, 'km'); }
    var size = 2 * EDGE[C.res] * W / 40075, small = size < 4, sq = Math.max(3, size);
    var byValue = {};
    C.groups.forEach(function (g) {
      if (g.box[0] > north || g.box[2] < south || g.box[1] > east || g.box[3] < west) { return; }
      for (var i = g.a; i < g.b; i++) {
        var v = cls[i];
        if (!shown(mode, v, z)) { continue; }
        var key = isNaN(v) ? 'x' : String(v);
        (byValue[key] = byValue[key] || []).push(i);
      }
    });
    var ctx = canvas.getContext('2d'), pal = mode === 'gi' ? D.gi_colours : D.score_colours;
    Object.keys(byValue).sort().forEach(function (key) {
      var list = byValue[key];
      ctx.beginPath();
      list.forEach(function (i) {
        if (small) {
          var c = C.centre(i);
          ctx.rect(px(c) - sq / 2, py(c) - sq / 2, sq, sq);
          return;
        }
        var r = C.ring(i);
        ctx.moveTo(px(r[0]), py(r[0]));
        for (var k = 1; k < r.length; k++) { ctx.lineTo(px(r[k]), py(r[k])); }
        ctx.closePath();
      });
      var low = key === 'x' || (mode === 'gi' ? key === '0' : key === '1');
      ctx.globalAlpha = low ? 0.3 : 0.72;
      ctx.fillStyle = pal[key] || '#bdbdbd';
      ctx.fill();
      if (!small && z >= 14) {
        ctx.globalAlpha = 0.5; ctx.lineWidth = 0.6; ctx.strokeStyle = '#555'; ctx.stroke();
      }
    });
  }
  map.createPane('kghex').style.zIndex = 350;
  var HexLayer = L.GridLayer.extend({
    createTile: function (coords) {
      var t = L.DomUtil.create('canvas', 'leaflet-tile'), s = this.getTileSize();
      t.width = s.x; t.height = s.y;
      drawTile(this.kgCells, this.kgMode, t, coords);
      return t;
    }
  });
  function hexLayer(C, mode) {
    var l = new HexLayer({pane: 'kghex', updateWhenZooming: false, keepBuffer: 1});
    l.kgCells = C; l.kgMode = mode;
    return l;
  }
  var overlays = [], hexLayers = [], bounds = L.latLngBounds([]);
  function addOverlay(key, label, layer, on) {
    KG.layers[key] = layer;
    overlays.push([label, layer, key]);
    if (on) { layer.addTo(map); }
  }
  function lazy(build) {
    var g = L.featureGroup(), done = false;
    g.on('add', function () { if (!done) { done = true; build(g); } });
    return g;
  }
  var svg = L.svg({padding: 0.3});
  map.createPane('kgb').style.zIndex = 410;
  var bsvg = L.svg({pane: 'kgb', padding: 0.3});
  var periodLayers = [];
  KG.sets.forEach(function (C, n) {
    var lyr = hexLayer(C, 'score');
    if (n === 0 && C.n) { bounds.extend(C.bounds()); }
    hexLayers.push(lyr);
    periodLayers.push(lyr);
    addOverlay('score_' + n, esc(C.S.label), lyr, false);
    if (n === 0 && C.S.p.gi_bin) {
      var gl = hexLayer(C, 'gi');
      hexLayers.push(gl);
      addOverlay('gi', esc(T.layer_gi), gl, false);
    }
  });
  map.on('overlayadd', function (e) {
    if (periodLayers.indexOf(e.layer) < 0) { return; }
    setTimeout(function () {
      periodLayers.forEach(function (l) {
        if (l !== e.layer && map.hasLayer(l)) { map.removeLayer(l); }
      });
    }, 0);
  });
  // ---------------------------------------------------------------- hexagon tooltip
  function pText(p) {
    if (p == null || isNaN(p)) { return null; }
    if (p < 0.001) { return '< ' + num(0.001, 3); }
    return '= ' + num(p, p < 0.1 ? 3 : 2);
  }
  function hexTip(C, i) {
    var g = function (c) { var a = C.col(c); return a ? a[i] : null; };
    var name = C.text('desa_name', i), disp = C.text('desa_name', i, true);
    var h = '<div class="kg-tip"><b>' + esc(disp || name || '') + '</b>';
    if (name && disp && disp !== name) {
      h += ' <small>(' + esc(T.official) + ': ' + esc(name) + ')</small>';
    }
    var kec = C.text('kecamatan_name', i, true), kab = C.text('kabupaten_name', i);
    if (kec) { h += '<br>' + T.kec + ' ' + esc(kec); }
    if (kab) { h += (kec ? ' \u00b7 ' : '<br>') + esc(kab); }
    h += '<br><small>' + esc(C.id(i)) + '</small>';
    var cl = g('score_class');
    if (cl != null && !isNaN(cl)) { h += '<br><b>' + esc(T['c' + cl] || cl) + '</b>'; }
    if (C.col('score')) {
      h += (cl != null && !isNaN(cl) ? ' \u00b7 ' : '<br>') + T.score + ' ' + num(g('score'), 2);
    }
    var parts = [['score_base', T.base], ['score_decay', T.decay], ['score_seasonal', T.seasonal],
                 ['score_smoothed', T.smoothed]], pp = [];
    parts.forEach(function (q) { if (C.col(q[0])) { pp.push(q[1] + ' ' + num(g(q[0]), 2)); } });
    if (pp.length) { h += '<br><small>' + pp.join(' \u00b7 ') + '</small>'; }
    var bin = g('gi_bin'), label = C.text('gi_label', i);
    if (!label && bin != null && !isNaN(bin)) { label = T['g' + bin]; }
    if (C.col('gi_z') || label) {
      h += '<br>Gi*: ' + esc(label || '\u2013');
      var q = [], pf = C.col('gi_p_fdr') ? pText(g('gi_p_fdr')) : null, pr = pText(g('gi_p'));
      if (C.col('gi_z')) { q.push('z = ' + num(g('gi_z'), 2)); }
      if (pf) { q.push(T.p_fdr + ' ' + pf); } else if (pr) { q.push(T.p_raw + ' ' + pr); }
      if (q.length) { h += ' <small>(' + q.join('; ') + ')</small>'; }
    }
    if (C.col('n_incidents')) {
      h += '<br>' + T.incidents + ': <b>' + whole(g('n_incidents')) + '</b>';
      var c = [];
      C.types().forEach(function (t, j) {
        var v = C.count(j, i);
        if (v) {
          c.push(esc((D.ptypes[t] || {}).label || t) + ' ' + (v < 0 ? '&lt; ' + D.k : whole(v)));
        }
      });
      if (c.length) { h += '<br><small>' + c.join(', ') + '</small>'; }
    }
    if (C.col('n_activities')) { h += '<br>' + T.activities + ': ' + whole(g('n_activities')); }
    var wr = g('warnings_open') > 0 ? C.text('warning_reason', i) : null;
    if (wr) { h += '<br><b>\u26a0 ' + esc(wr) + '</b>'; }
    var tr = C.text('trend_label', i) || C.text('trend_class', i);
    if (tr) { h += '<br>' + T.trend + ': ' + esc(tr); }
    if (C.col('coverage_gap')) { h += '<br>' + T.gap + ': ' + num(g('coverage_gap'), 2); }
    if (g('small_sample') > 0) {
      h += '<br><b class="kg-warn">\u26a0 ' + esc(T.small_cell) + '</b>';
    }
    return h + '</div>';
  }
  var tip = L.tooltip({direction: 'top', offset: [0, -10], className: 'kg-hex-tip'});
  var mark = L.polygon([], {color: '#000', weight: 2, fill: false, interactive: false});
  function activeHex() {
    for (var k = hexLayers.length - 1; k >= 0; k--) {
      if (map.hasLayer(hexLayers[k])) { return hexLayers[k]; }
    }
    return null;
  }
  function hexAt(ll) {
    var lyr = activeHex();
    if (!lyr || !lyr.kgCells.n) { return null; }
    var C = lyr.kgCells, i = C.find(h3.latLngToCell(ll.lat, ll.lng, C.res));
    if (i < 0) { return null; }
    var v = C.col(lyr.kgMode === 'gi' ? 'gi_bin' : 'score_class');
    if (!v || !shown(lyr.kgMode, v[i], map.getZoom())) { return null; }
    return {C: C, i: i};
  }
  function showTip(ll) {
    var hit = hexAt(ll);
    if (!hit) { map.closeTooltip(tip); mark.remove(); return; }
    tip.setContent(hexTip(hit.C, hit.i));
    map.openTooltip(tip, ll);
    mark.setLatLngs(hit.C.ring(hit.i)).addTo(map);
  }
  var pending = null, frame = 0;
  map.on('mousemove', function (e) {
    var target = e.originalEvent && e.originalEvent.target;
    if (target && target.closest && target.closest('.leaflet-control')) { return; }
    pending = e.latlng;
    if (!frame) { frame = requestAnimationFrame(function () { frame = 0; showTip(pending); }); }
  });
  map.on('click', function (e) { showTip(e.latlng); });
  map.on('mouseout', function () { map.closeTooltip(tip); mark.remove(); });
  KG.showTip = function (lat, lng) { showTip(L.latLng(lat, lng)); };
  // ---------------------------------------------------------------- boundaries
  function ringOf(a) {
    var out = [], x = a[0], y = a[1];
    out.push([x / 1e5, y / 1e5]);
    for (var i = 2; i < a.length; i += 2) {
      x += a[i]; y += a[i + 1]; out.push([x / 1e5, y / 1e5]);
    }
    return out;
  }
  function boundaryLayer(B, style) {
    var feats = B.g.map(function (g, i) {
      var coords = g.map(function (p) { return p.map(ringOf); });
      return {type: 'Feature', properties: {i: i},
              geometry: {type: 'MultiPolygon', coordinates: coords}};
    });
    var lyr = L.geoJSON({type: 'FeatureCollection', features: feats},
                        {renderer: bsvg, pane: 'kgb', style: style});
    lyr.bindTooltip(function (l) {
      var i = l.feature.properties.i, name = B.name[i], disp = B.disp ? B.disp[i] : null;
      var h = '<b>' + esc(disp || name) + '</b>';
      if (disp && disp !== name) { h += ' <small>(' + esc(name) + ')</small>'; }
      if (B.kec && B.kec[i]) { h += '<br>' + T.kec + ' ' + esc(B.kec[i]); }
      if (B.kab && B.kab[i]) { h += '<br>' + esc(B.kab[i]); }
      return h;
    }, {sticky: true});
    return lyr;
  }
  var LINES = {
    desa: {color: '#555', weight: 0.8, opacity: 0.8, fill: false},
    kecamatan: {color: '#222', weight: 1.8, opacity: 0.85, fill: false},
    kabupaten: {color: '#000', weight: 3, opacity: 0.9, fill: false, dashArray: '6 4'}
  };
  var BOUNDARY_LABEL = {desa: T.layer_desa, kecamatan: T.layer_kec, kabupaten: T.layer_kab};
  // desa/kelurahan names on the map from zoom 13 (the only base map when offline)
  var labels = L.layerGroup().addTo(map);
  function drawLabels() {
    labels.clearLayers();
    var B = D.bounds && D.bounds.desa;
    if (!B || !B.pt || map.getZoom() < (phone ? 14 : 13) || !map.hasLayer(KG.layers.desa)) {
      return;
    }
    var view = map.getBounds().pad(0.1);
    B.pt.forEach(function (p, i) {
      if (!p || !view.contains(p)) { return; }
      var text = (B.disp && B.disp[i]) || B.name[i];
      L.marker(p, {interactive: false, keyboard: false, icon: L.divIcon({
        className: 'kg-label', iconSize: null, html: '<span>' + esc(text) + '</span>'})})
        .addTo(labels);
    });
  }
  map.on('zoomend moveend overlayadd overlayremove', drawLabels);
  if (D.bounds) {
    ['desa', 'kecamatan', 'kabupaten'].forEach(function (level) {
      var B = D.bounds[level];
      if (!B) { return; }
      var lyr = boundaryLayer(B, function () { return LINES[level]; });
      addOverlay(level, esc(BOUNDARY_LABEL[level]), lyr, true);
      if (!bounds.isValid() && level === 'kabupaten') { bounds.extend(lyr.getBounds()); }
    });
  }
  // ---------------------------------------------------------------- points
  function fmtTime(m) {
    if (m == null || isNaN(m)) { return null; }
    return new Date(m * 60000).toISOString().slice(0, 16).replace('T', ' ');
  }
  function Points(P) {
    this.P = P; this.n = P.n;
    this.lat = column(P.lat, P.n); this.lon = column(P.lon, P.n); this.t = column(P.t, P.n);
    this.time = P.time ? column(P.time, P.n) : null;
  }
  Points.prototype.html = function (i, types) {
    var key = this.P.keys[this.t[i]], t = types[key] || {};
    var h = '<div class="kg-tip"><b>' + esc(t.label || key) + '</b>';
    var tm = this.time ? fmtTime(this.time[i]) : null;
    if (tm) { h += '<br>' + T.time + ': ' + esc(tm); }
    if (this.P.addr && this.P.addr[i]) { h += '<br>' + T.address + ': ' + esc(this.P.addr[i]); }
    if (this.P.note && this.P.note[i]) { h += '<br>' + T.note + ': ' + esc(this.P.note[i]); }
    return h + '</div>';
  };
  if (D.points) {
    var PT = new Points(D.points), icons = {};
    PT.P.keys.forEach(function (k) {
      var t = D.ptypes[k] || {colour: '#636363', abbr: '?'};
      icons[k] = L.divIcon({className: 'kg-pt', iconSize: [18, 18],
        html: '<span style="background:' + esc(t.colour) + '">' + esc(t.abbr) + '</span>'});
    });
    addOverlay('points', esc(T.layer_points), lazy(function (g) {
      var cl = L.markerClusterGroup({showCoverageOnHover: false, maxClusterRadius: 50,
                                     chunkedLoading: true, disableClusteringAtZoom: 17});
      var ms = new Array(PT.n);
      for (var i = 0; i < PT.n; i++) {
        ms[i] = L.marker([PT.lat[i], PT.lon[i]], {icon: icons[PT.P.keys[PT.t[i]]], kg: i});
      }
      cl.on('click', function (e) {
        L.popup().setLatLng(e.layer.getLatLng())
          .setContent(PT.html(e.layer.options.kg, D.ptypes)).openOn(map);
      });
      cl.addLayers(ms);
      cl.addTo(g);
    }), false);
    addOverlay('heat', esc(T.layer_heat), lazy(function (g) {
      var hp = [];
      for (var i = 0; i < PT.n; i++) { hp.push([PT.lat[i], PT.lon[i], 1]); }
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
    var AC = new Points(D.activities);
    addOverlay('activities', esc(T.layer_act), lazy(function (g) {
      for (var i = 0; i < AC.n; i++) {
        var t = D.atypes[AC.P.keys[AC.t[i]]] || {colour: '#3182bd'};
        L.circleMarker([AC.lat[i], AC.lon[i]], {renderer: svg, radius: 4, weight: 1,
          color: '#fff', fillColor: t.colour, fillOpacity: 0.9, kg: i}).addTo(g);
      }
      g.bindTooltip(function (l) { return AC.html(l.options.kg, D.atypes); });
    }), false);
  }
  // ---------------------------------------------------------------- early warnings
  function ewHtml(W, i) {
    if (W.agg) {
      return '<div class="kg-tip"><b>' + esc(T.layer_ew) + '</b><br>' + esc(W.desa[i]) +
        '<br>' + whole(W.n[i]) + ' ' + esc(T.ew_reports) + '<br><small>' + esc(W.types[i]) +
        '</small></div>';
    }
    var key = W.keys[W.t[i]], t = D.ewtypes[key] || {};
    var h = '<div class="kg-tip"><b>' + esc(T.layer_ew) + ': ' + esc(t.label || key) + '</b>';
    if (W.desa[i]) { h += '<br>' + T.desa + ' ' + esc(W.desa[i]); }
    h += '<br>' + esc(T.ew_expected) + ': ' + esc(W.exp[i]);
    h += '<br>' + esc(T.ew_status) + ': ' + esc(W.state[i]);
    h += '<br>' + esc(T.ew_role) + ': ' + esc(W.role[i]);
    if (W.rep[i]) { h += '<br><small>' + esc(T.ew_reported) + ': ' + esc(W.rep[i]) + '</small>'; }
    return h + '</div>';
  }
  if (D.warnings) {
    var EW = D.warnings;
    if (!EW.agg) {
      EW.lat = column(EW.lat, EW.n); EW.lon = column(EW.lon, EW.n); EW.t = column(EW.t, EW.n);
    }
    var ewLayer = L.featureGroup();
    var count = EW.agg ? EW.n.length : EW.n;
    for (var w = 0; w < count; w++) {
      var icon;
      if (EW.agg) {
        icon = L.divIcon({className: 'kg-ewa', iconSize: [30, 30],
          html: '<span>' + esc(whole(EW.n[w])) + '</span>'});
      } else {
        var et = D.ewtypes[EW.keys[EW.t[w]]] || {colour: '#7b3294', abbr: '?'};
        icon = L.divIcon({className: 'kg-ew' + (EW.closed[w] ? ' kg-ew-closed' : ''),
          iconSize: [20, 20], html: '<span style="background:' + esc(et.colour) + '"><b>' +
          esc(et.abbr) + '</b></span>'});
      }
      if (!EW.agg && EW.link && EW.link[w]) {  // the Binmas activity that answered it
        L.polyline([[EW.lat[w], EW.lon[w]], EW.link[w]], {renderer: svg, color: '#555',
          weight: 1.5, dashArray: '4 4', interactive: false}).addTo(ewLayer);
      }
      L.marker([EW.lat[w], EW.lon[w]], {icon: icon, kg: w, zIndexOffset: 500}).addTo(ewLayer);
    }
    ewLayer.on('click', function (e) {
      if (e.layer.options.kg == null) { return; }
      L.popup().setLatLng(e.layer.getLatLng()).setContent(ewHtml(EW, e.layer.options.kg))
        .openOn(map);
    });
    KG.warningHtml = function (i) { return ewHtml(EW, i); };
    addOverlay('warnings', esc(EW.agg ? T.layer_ew_public : T.layer_ew), ewLayer, true);
  }
  function postLayer(Q, colour, dash, label) {
    var g = L.featureGroup();
    var icon = L.divIcon({className: 'kg-post', iconSize: [13, 13],
      html: '<span style="background:' + colour + (dash ? ';border-style:dashed' : '') +
            '"></span>'});
    for (var i = 0; i < Q.lat.length; i++) {
      L.circle([Q.lat[i], Q.lon[i]], {renderer: svg, radius: Q.r[i], color: '#111', weight: 1.5,
        dashArray: dash, fill: false, interactive: false}).addTo(g);
      L.marker([Q.lat[i], Q.lon[i]], {icon: icon, kg: i, keyboard: false}).addTo(g);
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
    addOverlay('posts', esc(T.layer_posts),
               postLayer(D.posts, D.post_colours.posts, null, T.post), true);
  }
  if (D.proposed) {
    addOverlay('proposed', esc(T.layer_proposed),
               postLayer(D.proposed, D.post_colours.proposed, '5 5',
                         T.post + ' (' + T.proposed + ')'), true);
  }
  // ---------------------------------------------------------------- title
  var titleBox = null, focusLine = null, focusList = null;
  if (map.zoomControl) { map.zoomControl.remove(); }
  var title = L.control({position: 'topleft'});
  title.onAdd = function () {
    var div = L.DomUtil.create('div', 'kg-box kg-title');
    el('h1', '', div, D.title.title);
    D.title.sub.forEach(function (s) { el('div', '', div, s); });
    focusLine = el('div', 'kg-focus', div, null);
    focusLine.style.display = 'none';
    focusList = el('div', 'kg-focus-list', div, null);
    D.title.warn.forEach(function (s) { el('div', 'kg-warn', div, '\u26a0 ' + s); });
    titleBox = div;
    return div;
  };
  title.addTo(map);
  map.zoomControl = L.control.zoom({position: 'topleft'}).addTo(map);
  L.control.fullscreen({position: 'topleft'}).addTo(map);
  // ---------------------------------------------------------------- search
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
      function label(j) { return S0.alt[j] ? S0.alt[j] + ' (' + S0.name[j] + ')' : S0.name[j]; }
      function go(j) {
        var b = S0.bbox[j];
        map.fitBounds([[b[1], b[0]], [b[3], b[2]]], {maxZoom: 16, animate: false});
        ul.innerHTML = ''; inp.value = S0.alt[j] || S0.name[j];
      }
      function norm(s) {
        return String(s || '').toLowerCase().normalize('NFKD').replace(/[^a-z0-9 ]/g, ' ')
          .replace(/\s+/g, ' ').trim();
      }
      var idx = S0.name.map(function (n, j) { return norm(n) + ' | ' + norm(S0.alt[j]); });
      inp.addEventListener('input', function () {
        var q = norm(inp.value); ul.innerHTML = ''; hits = [];
        if (q.length < 2) { return; }
        for (var j = 0; j < idx.length && hits.length < 10; j++) {
          if (idx[j].indexOf(q) >= 0) { hits.push(j); }
        }
        hits.forEach(function (j, n) {
          var li = L.DomUtil.create('li', n === 0 ? 'on' : '', ul);
          li.textContent = label(j) + (S0.kec[j] ? ' \u2013 ' + T.kec + ' ' + S0.kec[j] : '');
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
  // ---------------------------------------------------------------- layers, legend
  var ctl = L.control.layers(null, {}, {collapsed: phone, position: 'topright'});
  overlays.forEach(function (o) { ctl.addOverlay(o[1], o[0]); });
  ctl.addTo(map);
  function panel(cls, heading, open) {
    var box = L.DomUtil.create('div', 'kg-box kg-panel ' + cls);
    var det = el('details', '', box), sum = el('summary', '', det, heading);
    det.open = open;
    det.addEventListener('toggle', function () { layout(); });
    L.DomEvent.disableClickPropagation(box);
    L.DomEvent.disableScrollPropagation(box);
    return {box: box, body: det, summary: sum, details: det};
  }
  var legendBody = null;
  function visibleKeys() {
    var on = {};
    overlays.forEach(function (o) {
      if (map.hasLayer(o[1])) { on[o[2].indexOf('score_') === 0 ? 'score' : o[2]] = true; }
    });
    return on;
  }
  function swatch(it, row) {
    if (it.fill) { el('span', 'kg-sw', row).style.background = it.fill; }
    else if (it.dot) { var d = el('span', 'kg-dot', row, it.abbr); d.style.background = it.dot; }
    else if (it.post) {
      var s = el('span', 'kg-sq', row); s.style.background = it.post;
      if (it.dash) { s.style.borderStyle = 'dashed'; }
    } else if (it.ring) {
      var r = el('span', 'kg-ring', row);
      if (it.dash) { r.style.borderStyle = 'dashed'; }
    } else if (it.line) {
      var l = el('span', 'kg-line', row), st = LINES[it.line];
      l.style.borderTopWidth = Math.max(1, st.weight) + 'px';
      l.style.borderTopColor = st.color;
      if (st.dashArray) { l.style.borderTopStyle = 'dashed'; }
    } else if (it.heat) { el('span', 'kg-heat', row); }
  }
  function drawLegend() {
    if (!legendBody) { return; }
    var on = visibleKeys();
    legendBody.textContent = '';
    D.legend.forEach(function (sec) {
      var any = !sec.layers.length || sec.layers.some(function (k) { return on[k]; });
      if (!any) { return; }
      if (sec.title) { el('h4', '', legendBody, sec.title); }
      sec.items.forEach(function (it) {
        if (it.line && !on[it.line]) { return; }
        var row = el('div', 'kg-row', legendBody);
        swatch(it, row);
        row.appendChild(document.createTextNode(it.text));
      });
      if (sec.note) { el('p', '', legendBody, sec.note); }
    });
  }
  var legend = L.control({position: 'bottomright'});
  legend.onAdd = function () {
    var p = panel('kg-legend', T.legend, !phone);
    legendBody = el('div', '', p.details);
    drawLegend();
    return p.box;
  };
  legend.addTo(map);
  map.on('overlayadd overlayremove', function () { setTimeout(drawLegend, 0); });
  // ---------------------------------------------------------------- Prioritas
  if (D.priority && D.priority.length) {
    var prio = L.control({position: 'bottomleft'});
    prio.onAdd = function () {
      var p = panel('kg-prio', T.priority, !phone);
      el('div', 'kg-note', p.details, T.priority_note);
      var kab = null;
      D.priority.forEach(function (G) {
        if (G.kab !== kab) { kab = G.kab; el('div', 'kg-kab', p.details, kab); }
        el('div', 'kg-pol', p.details, G.polsek);
        if (!G.top.length) { el('div', 'kg-none', p.details, T.priority_none); return; }
        var ol = el('ol', '', p.details);
        G.top.forEach(function (e) {
          var li = el('li', '', ol);
          li.tabIndex = 0;
          var chip = el('span', 'kg-chip', li, String(e.cls));
          chip.style.background = D.score_colours[e.cls] || '#fff';
          chip.style.color = e.cls >= 4 ? '#fff' : '#000';
          el('b', '', li, e.disp || e.desa || '?');
          li.appendChild(document.createTextNode(' \u2013 ' + e.why));
          var go = function () {
            map.setView(e.ll, 16, {animate: false});
            if (!map.hasLayer(activeHex() || hexLayers[0])) { hexLayers[0].addTo(map); }
            KG.showTip(e.ll[0], e.ll[1]);
          };
          li.addEventListener('click', go);
          li.addEventListener('keydown', function (ev) { if (ev.key === 'Enter') { go(); } });
        });
      });
      return p.box;
    };
    prio.addTo(map);
  }
  (D.attribution || []).forEach(function (a) { map.attributionControl.addAttribution(esc(a)); });
  // ---------------------------------------------------------------- layout
  function layout() {
    // the bottom-left panels: above a wrapped attribution line, below the top-left column
    var c = map.getContainer(), corner = c.querySelector('.leaflet-bottom.leaflet-left');
    var attr = c.querySelector('.leaflet-control-attribution');
    var top = c.querySelector('.leaflet-top.leaflet-left');
    var box = c.querySelector('.kg-prio');
    if (!corner || !attr) { return; }
    corner.style.bottom = '0px';
    var a = attr.getBoundingClientRect(), b = corner.getBoundingClientRect();
    if (a.left < b.right && a.top < b.bottom) {
      corner.style.bottom = (b.bottom - a.top + 2) + 'px';
    }
    if (box && top) {
      var cr = c.getBoundingClientRect(), t = top.getBoundingClientRect();
      var below = cr.bottom - corner.getBoundingClientRect().bottom;
      var others = corner.getBoundingClientRect().height - box.getBoundingClientRect().height;
      var room = cr.height - (t.bottom - cr.top) - below - others - 30;
      box.style.maxHeight = Math.max(60, room) + 'px';
    }
  }
  map.on('resize', layout);
  KG.layout = layout;
  // ---------------------------------------------------------------- start
  if (bounds.isValid()) { map.fitBounds(bounds, {animate: false}); }
  if (hexLayers.length) { hexLayers[0].addTo(map); }
  drawLegend();
  drawLabels();
  layout();
  function settled() {
    return hexLayers.every(function (l) { return !map.hasLayer(l) || !l._loading; });
  }
  KG.settle = function () {
    return new Promise(function (done) {
      (function wait() {
        if (settled() && !map._animatingZoom) {
          requestAnimationFrame(function () {
            requestAnimationFrame(function () { done(true); });
          });
        } else { setTimeout(wait, 30); }
      })();
    });
  };
  KG.print = function (on) {
    L.DomUtil[on ? 'addClass' : 'removeClass'](map.getContainer(), 'kg-print');
    map.getContainer().querySelectorAll('.kg-legend details').forEach(function (d) {
      d.open = true;
    });
    map.closeTooltip(tip); mark.remove(); map.closePopup();
    layout();
  };
  var focusLayer = L.layerGroup().addTo(map);
  KG.focus = function (j) {
    // one Polsek: its kecamatan outlined, its top places numbered and listed under the title
    var G = D.priority[j], K = D.bounds && D.bounds.kecamatan;
    focusLine.textContent = G.kab + ' \u00b7 ' + G.polsek;
    focusLine.style.display = '';
    focusLayer.clearLayers();
    focusList.textContent = '';
    if (K) {
      K.name.forEach(function (name, i) {
        if (G.kec.indexOf(name) < 0) { return; }
        var coords = K.g[i].map(function (p) { return p.map(function (r) {
          return ringOf(r).map(function (q) { return [q[1], q[0]]; });
        }); });
        L.polygon(coords, {color: '#1f4e9c', weight: 4, fill: false, interactive: false})
          .addTo(focusLayer);
      });
    }
    G.top.forEach(function (e, n) {
      L.marker(e.ll, {interactive: false, icon: L.divIcon({className: 'kg-num', iconSize: [20, 20],
        html: '<span>' + (n + 1) + '</span>'})}).addTo(focusLayer);
      el('div', '', focusList, (n + 1) + '. ' + (e.disp || e.desa || '?') + ' (' + T.cls + ' ' +
         e.cls + ') \u2013 ' + e.why);
    });
    var b = G.bbox;
    map.fitBounds([[b[1], b[0]], [b[3], b[2]]], {animate: false, padding: [20, 20]});
    return KG.settle();
  };
  KG.settle().then(function () { KG.ready = true; });
})();
"""
