// Package emf publishes the function's CloudWatch metrics in the
// Embedded Metric Format (EMF): one JSON line per event on standard output,
// from which CloudWatch Logs extracts the metrics. There is no API call, no
// cloudwatch:PutMetricData permission and no added latency.
//
// The lines are written on their own, not inside slog's lines: the EMF
// specification wants every metric and dimension as a top-level member of
// the document, and a line of its own keeps metric names from colliding
// with log fields. The function is a provided.al2023 (OS-only) runtime, so
// with LogFormat JSON Lambda formats only its own platform lines; a JSON
// line the function prints reaches CloudWatch Logs unchanged and is
// recognised by its "_aws" member. Lambda's log-level filtering treats a
// line without "level" as INFO, so an ApplicationLogLevel above INFO would
// drop every metric line (template.yaml leaves it unset; a test checks).
//
// What it deliberately does not do: no addresses, subjects, bodies or
// secrets ever become a metric, a dimension or a member of a line; an
// account appears only as its stored credential name (see Account).
// No buffering either: a Lambda environment can be frozen or stopped
// between invocations, so each line is written when the event happens.
package emf
