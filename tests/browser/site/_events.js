// Test helper: records every co-browse visitor event of this page in window.__events.
window.__events = [];
['sessionstarting', 'sessionstart', 'sessioncontinue', 'statereceived', 'sessionend', 'leavesession',
 'error', 'connection', 'agents', 'blur', 'focus', 'maskingerror', 'pagemasked', 'sessionpaused',
 'rcaccepted', 'rcdeclined', 'rcenabled', 'rc', 'rcevent', 'navigation', 'outline',
 // Not addguestrequested or rcrequested: listening to those replaces the default prompt.
 'addguestaccepted', 'addguestdeclined',
 'screenshare', 'screensharepaused', 'screenshareresumed', 'viewerinfo', 'viewerclosing',
 'visitorvideoaccepted', 'visitorvideodeclined', 'visitorvideocreated', 'visitorvideo', 'visitorvideostarted',
 'visitorvideoended', 'visitorvideostopped', 'visitorvideopaused', 'visitorvideoresume', 'visitorvideoresumed',
 'visitorvideoresize', 'visitorvideotimeout', 'visitorvideoerror', 'participantvideopaused',
 'visitorscreenshareaccepted', 'visitorscreensharedeclined', 'visitorscreensharestarted', 'visitorscreenshareended',
 'pausevisitorscreenshare'].forEach(function (type) {
  GLANCE.Cobrowse.Visitor.addEventListener(type, function (data) {
    var entry = { type: type, data: data === undefined ? null : JSON.parse(JSON.stringify(data)) };
    window.__events.push(entry);
    // Across page loads too (events fired just before a navigation).
    var log = JSON.parse(sessionStorage.getItem('__events') || '[]');
    log.push(entry);
    sessionStorage.setItem('__events', JSON.stringify(log));
  });
});
