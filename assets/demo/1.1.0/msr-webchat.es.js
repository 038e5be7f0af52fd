/*! msr-webchat v1.1.0 (demo build) */
import React from 'react';
export const VERSION = '1.1.0';
export function MSREventChat(props) {
  return React.createElement('div', { className: 'msr-webchat', 'data-version': VERSION },
    React.createElement('header', null, props.siteTitle || 'Assistant'));
}
//# sourceMappingURL=msr-webchat.es.js.map
