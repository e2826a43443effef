// Someone else's custom element under the widget's tag name.
customElements.define('loyalty-widget', class extends HTMLElement {});
