// Test helper for the leak pages: mark(text, id) adds a visible marker paragraph to #markers,
// so a test can prove the capture still flows beside the secrets it plants.
window.mark = function (text, id) {
  var p = document.createElement('p');
  p.id = id; p.textContent = text;
  document.getElementById('markers').appendChild(p);
};
