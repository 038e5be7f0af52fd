/*! msr-webchat v0.9.0 (demo build) */
import React from 'react';
export const VERSION = '0.9.0';
export function MSREventChat(props) {
  return React.createElement('div', { className: 'msr-webchat', 'data-version': VERSION },
    React.createElement('header', null, props.siteTitle || 'Assistant'));
}
//# sourceMappingURL=msr-webchat.es.js.map
