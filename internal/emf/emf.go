package emf

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strings"
	"sync"
	"time"
)

// Unit is a CloudWatch unit. Only the ones this package uses are named;
// Valid knows every unit the specification allows.
type Unit string

// Units the function's metrics use.
const (
	Count        Unit = "Count"
	Milliseconds Unit = "Milliseconds"
	Percent      Unit = "Percent"
)

// validUnits are the CloudWatch standard units (EMF's MetricDefinition
// "Unit" MUST be one of them).
var validUnits = map[Unit]bool{
	"Seconds": true, "Microseconds": true, "Milliseconds": true,
	"Bytes": true, "Kilobytes": true, "Megabytes": true, "Gigabytes": true, "Terabytes": true,
	"Bits": true, "Kilobits": true, "Megabits": true, "Gigabits": true, "Terabits": true,
	"Percent": true, "Count": true,
	"Bytes/Second": true, "Kilobytes/Second": true, "Megabytes/Second": true, "Gigabytes/Second": true, "Terabytes/Second": true,
	"Bits/Second": true, "Kilobits/Second": true, "Megabits/Second": true, "Gigabits/Second": true, "Terabits/Second": true,
	"Count/Second": true, "None": true,
}

// Valid reports whether u is a CloudWatch unit.
func (u Unit) Valid() bool { return validUnits[u] }

// The specification's limits.
const (
	MaxMetricsPerDirective = 100
	MaxDimensionsPerSet    = 30
	maxNamespaceLength     = 255
	maxDimensionValue      = 1024
)

// namespaceChar is [a-zA-Z0-9._#:/-], the characters CloudWatch allows in
// a namespace (a loop, not a regexp compiled at every cold start).
func namespaceChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("._#:/-", c) >= 0
}

func validNamespaceChars(ns string) bool {
	for i := 0; i < len(ns); i++ {
		if !namespaceChar(ns[i]) {
			return false
		}
	}
	return true
}

// CheckNamespace refuses a namespace CloudWatch would not accept: empty,
// longer than 255, characters outside [a-zA-Z0-9._#:/-], or AWS's own
// "AWS/" prefix.
func CheckNamespace(ns string) error {
	switch {
	case ns == "" || len(ns) > maxNamespaceLength || !validNamespaceChars(ns):
		return fmt.Errorf("metrics: namespace %q must be 1–255 characters of letters, digits and ._#:/-", ns)
	case len(ns) >= 4 && ns[:4] == "AWS/":
		return fmt.Errorf("metrics: namespace %q must not start with AWS/ (reserved for AWS services)", ns)
	}
	return nil
}

// Definition is one metric of a directive.
type Definition struct {
	Name string `json:"Name"`
	Unit Unit   `json:"Unit"`
}

// Directive is one EMF MetricDirective: every metric in Metrics is
// published once under each dimension set (an empty set publishes it with
// no dimension, the total).
type Directive struct {
	Dimensions [][]string
	Metrics    []Definition
}

// Document is one EMF log event: its directives, the values of the
// metrics, and the values of the dimensions they name.
type Document struct {
	Directives []Directive
	Values     map[string]float64
	Dimensions map[string]string
}

// Writer writes EMF documents as single JSON lines to w (the function's
// standard output: Lambda sends each line to CloudWatch Logs, which
// extracts the metrics; no API call, no permission, no latency). Safe for
// concurrent use.
type Writer struct {
	mu        sync.Mutex
	w         io.Writer
	namespace string
	// Now stamps documents; time.Now when nil.
	Now func() time.Time
}

// New returns a Writer publishing into namespace.
func New(w io.Writer, namespace string) (*Writer, error) {
	if err := CheckNamespace(namespace); err != nil {
		return nil, err
	}
	return &Writer{w: w, namespace: namespace}, nil
}

// Namespace is the CloudWatch namespace the writer publishes into.
func (w *Writer) Namespace() string { return w.namespace }

type metadata struct {
	Timestamp         int64             `json:"Timestamp"`
	CloudWatchMetrics []metricDirective `json:"CloudWatchMetrics"`
}

type metricDirective struct {
	Namespace  string       `json:"Namespace"`
	Dimensions [][]string   `json:"Dimensions"`
	Metrics    []Definition `json:"Metrics"`
}

// Write checks d against the specification and writes it as one line. A
// document that breaks a rule is a programming error: it is refused whole,
// so CloudWatch never receives a line it would drop silently.
func (w *Writer) Write(d Document) error {
	if err := check(d); err != nil {
		return err
	}
	now := time.Now
	if w.Now != nil {
		now = w.Now
	}
	meta := metadata{Timestamp: now().UnixMilli()}
	for _, dir := range d.Directives {
		dims := dir.Dimensions
		if dims == nil {
			dims = [][]string{}
		}
		meta.CloudWatchMetrics = append(meta.CloudWatchMetrics, metricDirective{Namespace: w.namespace, Dimensions: dims, Metrics: dir.Metrics})
	}
	root := make(map[string]any, 1+len(d.Values)+len(d.Dimensions))
	root["_aws"] = meta
	for k, v := range d.Dimensions {
		root[k] = v
	}
	for k, v := range d.Values {
		root[k] = v
	}
	line, err := json.Marshal(root)
	if err != nil {
		return fmt.Errorf("metrics: %w", err)
	}
	line = append(line, '\n')
	w.mu.Lock()
	defer w.mu.Unlock()
	_, err = w.w.Write(line)
	return err
}

// check applies the specification's rules that the code could break.
func check(d Document) error {
	if len(d.Directives) == 0 {
		return fmt.Errorf("metrics: a document needs at least one directive")
	}
	for _, dir := range d.Directives {
		if len(dir.Metrics) == 0 || len(dir.Metrics) > MaxMetricsPerDirective {
			return fmt.Errorf("metrics: a directive holds 1–%d metrics, not %d", MaxMetricsPerDirective, len(dir.Metrics))
		}
		for _, set := range dir.Dimensions {
			if len(set) > MaxDimensionsPerSet {
				return fmt.Errorf("metrics: a dimension set holds at most %d dimensions, not %d", MaxDimensionsPerSet, len(set))
			}
			for _, name := range set {
				if name == "_aws" {
					return fmt.Errorf("metrics: _aws cannot be a dimension")
				}
				v, ok := d.Dimensions[name]
				if !ok || v == "" || len(v) > maxDimensionValue {
					return fmt.Errorf("metrics: dimension %q has no value (or one over %d bytes)", name, maxDimensionValue)
				}
				if _, clash := d.Values[name]; clash {
					return fmt.Errorf("metrics: %q is both a dimension and a metric", name)
				}
			}
		}
		for _, m := range dir.Metrics {
			if m.Name == "_aws" {
				return fmt.Errorf("metrics: _aws cannot be a metric")
			}
			v, ok := d.Values[m.Name]
			if !ok || math.IsNaN(v) || math.IsInf(v, 0) {
				return fmt.Errorf("metrics: metric %q has no finite value", m.Name)
			}
			if !m.Unit.Valid() {
				return fmt.Errorf("metrics: metric %q has the unknown unit %q", m.Name, m.Unit)
			}
		}
	}
	return nil
}

// DefaultNamespace is the namespace when none is configured (the
// template's MetricsNamespace parameter sets METRICS_NAMESPACE).
const DefaultNamespace = "gmailsend"
