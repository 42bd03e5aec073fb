// A little script: the build's progress bar, and files dropped on the upload box. The page works without it.
(function () {
  var job = document.getElementById("job");
  var refreshed = false;
  if (job && job.dataset.running === "1") {
    var poll = function () {
      fetch(job.dataset.url, {credentials: "same-origin"}).then(function (r) { return r.json(); }).then(function (s) {
        var bar = document.getElementById("job-bar"), detail = document.getElementById("job-detail");
        if (s.job && bar) { bar.style.width = s.job.percent + "%"; }
        if (s.job && detail && s.job.detail) { detail.textContent = s.job.detail; }
        if (s.job && !refreshed && s.job.done.indexOf("改动的页面") >= 0) {
          refreshed = true;             // the changed pages are drawn: show them before the rest are
          s.changed.forEach(function (n) {
            var img = document.querySelector('.thumb img[data-page="' + n + '"]');
            if (img) { img.src = img.src.split("?")[0] + "?t=" + Date.now(); img.parentNode.classList.add("changed"); }
          });
        }
        if (s.running) { setTimeout(poll, 700); } else { location.reload(); }
      }).catch(function () { setTimeout(poll, 2000); });
    };
    setTimeout(poll, 500);
  }
  var drop = document.getElementById("drop"), input = document.getElementById("files");
  if (drop && input) {
    ["dragenter", "dragover"].forEach(function (e) {
      drop.addEventListener(e, function () { drop.classList.add("over"); });
    });
    ["dragleave", "drop"].forEach(function (e) {
      drop.addEventListener(e, function () { drop.classList.remove("over"); });
    });
    var chosen = document.getElementById("chosen");
    input.addEventListener("change", function () {
      chosen.textContent = Array.from(input.files).map(function (f) { return f.name; }).join("、") || "未选择文件";
    });
  }
})();
// The office's table of departments, kept up to date while the page is open.
(function () {
  var live = document.getElementById("dept-live");
  if (!live) { return; }
  var poll = function () {
    fetch(live.dataset.url, {credentials: "same-origin"}).then(function (r) { return r.json(); }).then(function (rows) {
      rows.forEach(function (d) {
        var tr = live.querySelector('tr[data-dept="' + CSS.escape(d.name) + '"]');
        if (!tr) { return; }
        tr.querySelector(".st").textContent = d.state + (d.late ? " 已逾期" : "");
        tr.querySelector(".pr").textContent = d.problems || "—";
        tr.querySelector(".last").textContent = d.last || "—";
        tr.querySelector(".link").textContent = d.link;
      });
      setTimeout(poll, 5000);
    }).catch(function () { setTimeout(poll, 10000); });
  };
  setTimeout(poll, 5000);
})();
