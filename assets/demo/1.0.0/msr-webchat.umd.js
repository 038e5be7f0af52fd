/*! msr-webchat v1.0.0 (demo build) */
(function (global, factory) {
  typeof exports === 'object' && typeof module !== 'undefined' ? factory(exports, require('react')) :
  typeof define === 'function' && define.amd ? define(['exports', 'react'], factory) :
  (global = typeof globalThis !== 'undefined' ? globalThis : global || self, factory(global.MSRWebchat = {}, global.React));
})(this, function (exports, React) {
  'use strict';
  var VERSION = '1.0.0';
  function MSREventChat(props) {
    return React.createElement('div', { className: 'msr-webchat', 'data-version': VERSION },
      React.createElement('header', null, props.siteTitle || 'Assistant'));
  }
  exports.MSREventChat = MSREventChat;
  exports.VERSION = VERSION;
});
//# sourceMappingURL=msr-webchat.umd.js.map
