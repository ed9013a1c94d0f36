// Confirm before destructive actions: <form data-confirm="确定吊销？"> (no inline scripts: CSP).
document.addEventListener("submit", function (event) {
  var form = event.target;
  var question = form.getAttribute && form.getAttribute("data-confirm");
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
}, true);
