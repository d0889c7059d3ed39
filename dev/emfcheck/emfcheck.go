// Package emfcheck checks log lines against the CloudWatch Embedded Metric
// Format specification, independently of the writer in internal/emf,
// and decodes them for people (`make run` prints the metrics of a send).
// Tests use it on the lines the real function writes.
//
// The rules, from the specification and the limits AWS's own EMF libraries
// enforce: the line is one JSON object and nothing else, at most 256 KiB; it
// has an "_aws" object with an integer millisecond Timestamp no more than
// two weeks old or two hours ahead and a non-empty CloudWatchMetrics array,
// and no other member but LogGroupName; each MetricDirective has exactly
// Namespace (1–255 of [a-zA-Z0-9._#:/-], not AWS/), Dimensions (an array of
// dimension sets of at most 30 names) and Metrics (1–100 definitions); each
// dimension name references a top-level string member (1–1024 ASCII
// characters, not only whitespace) and is at most 250 ASCII characters not
// starting with a colon; each MetricDefinition has a Name (at most 1024
// characters, unique in its directive) that references a top-level number
// or array of at most 100 numbers, an optional valid Unit and an optional
// StorageResolution of 1 or 60, and nothing else.
package emfcheck

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"
)

const (
	maxEventBytes     = 256 << 10
	maxMetrics        = 100
	maxDimensions     = 30
	maxValues         = 100
	maxDimensionName  = 250
	maxDimensionValue = 1024
	maxMetricName     = 1024
	maxNamespace      = 255
	maxAge            = 14 * 24 * time.Hour
	maxAhead          = 2 * time.Hour
)

var namespaceRE = regexp.MustCompile(`^[a-zA-Z0-9._#:/-]+$`)

var units = map[string]bool{
	"Seconds": true, "Microseconds": true, "Milliseconds": true, "Bytes": true, "Kilobytes": true,
	"Megabytes": true, "Gigabytes": true, "Terabytes": true, "Bits": true, "Kilobits": true,
	"Megabits": true, "Gigabits": true, "Terabits": true, "Percent": true, "Count": true,
	"Bytes/Second": true, "Kilobytes/Second": true, "Megabytes/Second": true, "Gigabytes/Second": true,
	"Terabytes/Second": true, "Bits/Second": true, "Kilobits/Second": true, "Megabits/Second": true,
	"Gigabits/Second": true, "Terabits/Second": true, "Count/Second": true, "None": true,
}

// IsEMF reports whether line looks like an EMF document (a JSON object with
// an "_aws" member); Check says whether it is a valid one.
func IsEMF(line []byte) bool {
	var root map[string]json.RawMessage
	if json.Unmarshal(line, &root) != nil {
		return false
	}
	_, ok := root["_aws"]
	return ok
}

// Check returns every rule line breaks (nil when it is a valid document),
// judging the Timestamp against now.
func Check(line []byte, now time.Time) error {
	var errs []error
	bad := func(format string, a ...any) { errs = append(errs, fmt.Errorf(format, a...)) }
	line = bytes.TrimRight(line, "\n")
	if len(line) > maxEventBytes {
		bad("the line is %d bytes, over the %d-byte log event limit", len(line), maxEventBytes)
	}
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.UseNumber()
	var root map[string]any
	if err := dec.Decode(&root); err != nil {
		return fmt.Errorf("emfcheck: not a JSON object: %w", err)
	}
	if dec.More() {
		bad("data after the JSON object")
	}
	aws, ok := root["_aws"].(map[string]any)
	if !ok {
		return errors.New("emfcheck: no _aws object")
	}
	for k := range aws {
		if k != "Timestamp" && k != "CloudWatchMetrics" && k != "LogGroupName" {
			bad("_aws has the unknown member %q", k)
		}
	}
	checkTimestamp(aws["Timestamp"], now, bad)
	directives, ok := aws["CloudWatchMetrics"].([]any)
	if !ok || len(directives) == 0 {
		bad("_aws.CloudWatchMetrics must be a non-empty array")
	}
	for i, d := range directives {
		checkDirective(i, d, root, bad)
	}
	if len(errs) > 0 {
		return fmt.Errorf("emfcheck: %w", errors.Join(errs...))
	}
	return nil
}

func checkTimestamp(v any, now time.Time, bad func(string, ...any)) {
	n, ok := v.(json.Number)
	if !ok {
		bad("_aws.Timestamp must be a number")
		return
	}
	ms, err := n.Int64()
	if err != nil {
		bad("_aws.Timestamp %s is not an integer number of milliseconds", n)
		return
	}
	t := time.UnixMilli(ms)
	if t.Before(now.Add(-maxAge)) || t.After(now.Add(maxAhead)) {
		bad("_aws.Timestamp %v is more than two weeks old or two hours ahead (is it in seconds?)", t)
	}
}

func checkDirective(i int, v any, root map[string]any, bad func(string, ...any)) {
	d, ok := v.(map[string]any)
	if !ok {
		bad("directive %d is not an object", i)
		return
	}
	for k := range d {
		if k != "Namespace" && k != "Dimensions" && k != "Metrics" {
			bad("directive %d has the unknown member %q", i, k)
		}
	}
	ns, _ := d["Namespace"].(string)
	if ns == "" || len(ns) > maxNamespace || !namespaceRE.MatchString(ns) || strings.HasPrefix(ns, "AWS/") {
		bad("directive %d: invalid Namespace %q", i, ns)
	}
	sets, ok := d["Dimensions"].([]any)
	if !ok {
		bad("directive %d: Dimensions must be an array of dimension sets", i)
	}
	for j, s := range sets {
		checkDimensionSet(i, j, s, root, bad)
	}
	metrics, ok := d["Metrics"].([]any)
	if !ok || len(metrics) == 0 || len(metrics) > maxMetrics {
		bad("directive %d: Metrics must hold 1–%d definitions", i, maxMetrics)
	}
	seen := map[string]bool{}
	for j, m := range metrics {
		name := checkDefinition(i, j, m, root, bad)
		if seen[name] {
			bad("directive %d: metric %q defined twice", i, name)
		}
		seen[name] = true
	}
}

func checkDimensionSet(i, j int, v any, root map[string]any, bad func(string, ...any)) {
	set, ok := v.([]any)
	if !ok {
		bad("directive %d: dimension set %d is not an array", i, j)
		return
	}
	if len(set) > maxDimensions {
		bad("directive %d: dimension set %d has %d dimensions, over %d", i, j, len(set), maxDimensions)
	}
	for _, n := range set {
		name, ok := n.(string)
		if !ok || strings.TrimSpace(name) == "" || len(name) > maxDimensionName || !ascii(name) || strings.HasPrefix(name, ":") {
			bad("directive %d: invalid dimension name %v", i, n)
			continue
		}
		val, ok := root[name].(string)
		if !ok {
			bad("dimension %q is not a top-level string member", name)
			continue
		}
		if strings.TrimSpace(val) == "" || len(val) > maxDimensionValue || !ascii(val) {
			bad("dimension %q has an invalid value %q", name, val)
		}
	}
}

func checkDefinition(i, j int, v any, root map[string]any, bad func(string, ...any)) string {
	m, ok := v.(map[string]any)
	if !ok {
		bad("directive %d: metric %d is not an object", i, j)
		return ""
	}
	for k := range m {
		if k != "Name" && k != "Unit" && k != "StorageResolution" {
			bad("directive %d: metric %d has the unknown member %q", i, j, k)
		}
	}
	name, _ := m["Name"].(string)
	if name == "" || len(name) > maxMetricName {
		bad("directive %d: metric %d has no valid Name", i, j)
		return name
	}
	if u, present := m["Unit"]; present {
		if s, ok := u.(string); !ok || !units[s] {
			bad("metric %q: invalid Unit %v", name, u)
		}
	}
	if r, present := m["StorageResolution"]; present {
		if n, ok := r.(json.Number); !ok || (n.String() != "1" && n.String() != "60") {
			bad("metric %q: StorageResolution must be 1 or 60, not %v", name, r)
		}
	}
	switch val := root[name].(type) {
	case json.Number:
	case []any:
		if len(val) == 0 || len(val) > maxValues {
			bad("metric %q: an array of values holds 1–%d numbers", name, maxValues)
		}
		for _, x := range val {
			if _, ok := x.(json.Number); !ok {
				bad("metric %q: value %v is not a number", name, x)
			}
		}
	default:
		bad("metric %q is not a top-level number or array of numbers", name)
	}
	return name
}

func ascii(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
