// Package export turns a nodeloop trace into something a person looks at:
// [WriteChrome] writes the Chrome Trace Event format that Perfetto and
// chrome://tracing open, and [WriteHTML] a self-contained page with the run's
// timeline. Both take the header and events that [traces.Decode] returns and accept
// anything that decodes.
//
// The loop never imports this package; the command line (nodeloop export, nodeloop
// view) and tests do, so that html, html/template and embed stay out of programs
// that only run a loop.
package export
