/*! msr-webchat v2.0.0-beta.1 (demo build) */
import React from 'react';
export const VERSION = '2.0.0-beta.1';
export function MSREventChat(props) {
  return React.createElement('div', { className: 'msr-webchat', 'data-version': VERSION },
    React.createElement('header', null, props.siteTitle || 'Assistant'));
}
//# sourceMappingURL=msr-webchat.es.js.map
