// Test helper: records every co-browse visitor event of this page in window.__events.
window.__events = [];
['sessionstarting', 'sessionstart', 'sessioncontinue', 'statereceived', 'sessionend', 'leavesession',
 'error', 'connection', 'agents', 'blur', 'focus', 'maskingerror', 'pagemasked', 'sessionpaused'].forEach(function (type) {
  GLANCE.Cobrowse.Visitor.addEventListener(type, function (data) {
    window.__events.push({ type: type, data: data === undefined ? null : JSON.parse(JSON.stringify(data)) });
  });
});
