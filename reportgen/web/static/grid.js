// A department's detail tables as editable grids: add, edit, delete rows, paste rows copied from Excel.
// Saving sends every row with the version of the file it was read from; the server checks the rows as it
// checks a workbook and refuses a save based on an older version (the grid then shows the current rows).
(function () {
  var data = JSON.parse(document.getElementById("grids-data").textContent);
  var cfg = window.RG_DEPT;
  data.forEach(function (g) {
    if (g.problem) { return; }            // the page says why the file cannot be shown
    var card = document.getElementById("grid-" + g.table);
    var host = card.querySelector(".grid-host"), msg = card.querySelector(".grid-msg");
    var state = {grid: g};

    function say(text, kind) { msg.textContent = text; msg.className = "grid-msg " + (kind || ""); }

    function render() {
      var t = document.createElement("table");
      t.className = "grid compact editable";
      var head = "<thead><tr><th style=\"width:3em\">#</th>";
      var total = state.grid.columns.reduce(function (s, c) { return s + c.width; }, 0);
      state.grid.columns.forEach(function (c) {
        var th = document.createElement("th");
        th.style.width = Math.round(85 * c.width / total) + "%";     // the pack's column widths, as in Word
        th.textContent = c.name + (c.required ? " *" : "");
        head += th.outerHTML;
      });
      t.innerHTML = head + "<th></th></tr></thead><tbody></tbody>";
      var body = t.querySelector("tbody");
      state.grid.rows.forEach(function (row, n) {
        var tr = document.createElement("tr");
        var num = document.createElement("td"); num.textContent = n + 1; tr.appendChild(num);
        state.grid.columns.forEach(function (c, ci) {
          var td = document.createElement("td"), input = document.createElement("input");
          input.value = row[c.name] || ""; input.dataset.col = ci; input.dataset.row = n;
          input.setAttribute("aria-label", c.name);
          if (c.choices.length) { input.setAttribute("list", "choices-" + g.table + "-" + ci); }
          input.addEventListener("input", function () { row[c.name] = input.value; });
          input.addEventListener("paste", function (e) { paste(e, n, ci); });
          td.appendChild(input); tr.appendChild(td);
        });
        var del = document.createElement("td"), b = document.createElement("button");
        b.type = "button"; b.className = "light grid-del"; b.textContent = "删除";
        b.addEventListener("click", function () { state.grid.rows.splice(n, 1); render(); });
        del.appendChild(b); tr.appendChild(del); body.appendChild(tr);
      });
      host.innerHTML = "";
      state.grid.columns.forEach(function (c, ci) {
        if (!c.choices.length) { return; }
        var dl = document.createElement("datalist"); dl.id = "choices-" + g.table + "-" + ci;
        c.choices.forEach(function (v) { var o = document.createElement("option"); o.value = v; dl.appendChild(o); });
        host.appendChild(dl);
      });
      host.appendChild(t);
    }

    function paste(e, r0, c0) {
      var text = (e.clipboardData || window.clipboardData).getData("text");
      if (text.indexOf("\t") < 0 && text.indexOf("\n") < 0) { return; }     // one cell: the browser pastes it
      e.preventDefault();
      text.replace(/\r/g, "").replace(/\n$/, "").split("\n").forEach(function (line, i) {
        var row = state.grid.rows[r0 + i];
        if (!row) { row = {_i: null}; state.grid.rows.push(row); }
        line.split("\t").forEach(function (v, j) {
          var c = state.grid.columns[c0 + j];
          if (c) { row[c.name] = v.trim(); }
        });
      });
      render();
      say("已粘贴，请检查后点“保存”。");
    }

    card.querySelector(".grid-add").addEventListener("click", function () {
      state.grid.rows.push({_i: null}); render();
      var inputs = host.querySelectorAll("tbody tr:last-child input");
      if (inputs.length) { inputs[0].focus(); }
    });
    card.querySelector(".grid-save").addEventListener("click", function () {
      say("正在保存…");
      fetch("/d/" + encodeURIComponent(cfg.key) + "/grid/" + encodeURIComponent(g.table), {
        method: "POST", credentials: "same-origin",
        headers: {"Content-Type": "application/json", "X-CSRF-Token": cfg.csrf},
        body: JSON.stringify({version: state.grid.version, rows: state.grid.rows})
      }).then(function (r) { return r.json().then(function (j) { return [r.status, j]; }); }).then(function (a) {
        var status = a[0], j = a[1];
        if (status === 200) {
          state.grid = j.grid; render();
          say(j.changes ? "已保存，改动 " + j.changes + " 行。" : "没有改动。", "good");
        } else if (status === 409) {
          state.grid = j.grid; render(); say(j.message, "bad");
        } else if (j.problems) {
          say("没有保存，请改正：" + j.problems.join("；"), "bad");
        } else { say("没有保存：" + (j.detail || status), "bad"); }
      }).catch(function () { say("没有保存：网络中断，请重试。", "bad"); });
    });
    render();
  });
})();
