/* page behaviour: charts are drawn from data-* attributes (no inline scripts, CSP script-src 'self') */
