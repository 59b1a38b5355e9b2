/* Several documents in one form, each with its own progress bar (no build step).
 *
 * Without this script the form is an ordinary multipart POST of every chosen file and the
 * server answers with each file's result. With it, each chosen file goes to its document's
 * own upload address one after another (XMLHttpRequest, for its upload progress), so a
 * refused file neither stops nor undoes the others: each upload is stored whole or not at
 * all by the server. The server's answer (JSON) is shown beside the file.
 */
(function () {
  "use strict";

  var form = document.querySelector("form[data-multi-upload]");
  if (!form || !window.FormData || !window.XMLHttpRequest) { return; }
  // The page gives the words, translated: data-text-* on the form.
  function say(name) { return form.getAttribute("data-text-" + name) || ""; }
  var token = form.querySelector("input[name=csrf_token]").value;
  var button = form.querySelector("button[type=submit]");
  var summary = form.querySelector(".upload-summary");

  function parts(input) {
    var box = input.parentNode;
    return { progress: box.querySelector(".upload-progress"), result: box.querySelector(".upload-result"), item: input.closest("li") };
  }

  function show(input, ok, lines) {
    var p = parts(input);
    p.result.textContent = "";
    lines.forEach(function (line, index) {
      if (index) { p.result.appendChild(document.createElement("br")); }
      p.result.appendChild(document.createTextNode(line));
    });
    p.result.className = "upload-result small " + (ok ? "ok" : "bad");
    p.item.classList.toggle("invalid", !ok);
    var badge = p.item.querySelector(".doc-state .badge");
    if (ok) {
      p.item.classList.remove("todo");
      p.item.classList.add("done");
      input.value = "";
      input.removeAttribute("aria-invalid");
      if (badge) {
        badge.className = "badge ok";
        badge.textContent = say("uploaded-badge");
      }
    } else {
      p.progress.hidden = true;  // the bytes arrived, but the file was refused
      input.setAttribute("aria-invalid", "true");
    }
  }

  function send(input, next) {
    var p = parts(input);
    var data = new FormData();
    data.append("csrf_token", token);
    data.append("file", input.files[0]);
    var xhr = new XMLHttpRequest();
    xhr.open("POST", input.getAttribute("data-url"));
    xhr.setRequestHeader("Accept", "application/json");
    p.progress.hidden = false;
    p.progress.value = 0;
    p.result.className = "upload-result small";
    p.result.textContent = say("uploading");
    xhr.upload.onprogress = function (event) {
      if (event.lengthComputable) { p.progress.value = Math.round(100 * event.loaded / event.total); }
    };
    xhr.onload = function () {
      var answer = null;
      try { answer = JSON.parse(xhr.responseText); } catch (ignore) { answer = null; }
      var ok = xhr.status === 200 && answer && answer.ok;
      if (ok) { p.progress.value = 100; }
      show(input, ok, ok ? [say("done")] : [say("failed")].concat((answer && answer.errors) || []));
      next(ok);
    };
    xhr.onerror = function () {
      show(input, false, [say("failed"), say("network")]);
      next(false);
    };
    xhr.send(data);
  }

  form.addEventListener("submit", function (event) {
    var chosen = Array.prototype.filter.call(
      form.querySelectorAll("input[type=file][data-url]"),
      function (input) { return input.files && input.files.length; }
    );
    event.preventDefault();
    if (!chosen.length) { summary.textContent = say("none"); return; }
    button.disabled = true;
    button.setAttribute("aria-busy", "true");
    var good = 0;
    var index = 0;
    function step(ok) {
      if (ok) { good += 1; }
      if (index < chosen.length) {
        index += 1;
        send(chosen[index - 1], step);
        return;
      }
      summary.textContent = say("summary").replace("{ok}", good).replace("{all}", chosen.length);
      button.disabled = false;
      button.removeAttribute("aria-busy");
      if (good === chosen.length) {
        // Every file is in: reload so the page shows what may be submitted now.
        window.location.assign(window.location.pathname + "#documents");
        window.location.reload();
      }
    }
    step(false);
  });
})();
