package devstack

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/gmailsend/gmailsend/dev/emfcheck"
)

// MetricsSummary renders the CloudWatch metrics a function's output holds
// (its embedded-metric-format lines) for a person: per line the dimension
// values, each metric with its value and unit, and the dimension sets
// CloudWatch will file them under. A line that breaks the specification
// says so. Empty when the output holds no metric line.
func MetricsSummary(output string) string {
	var b strings.Builder
	n := 0
	for _, line := range strings.Split(output, "\n") {
		line = strings.TrimSpace(line)
		if !emfcheck.IsEMF([]byte(line)) {
			continue
		}
		n++
		if err := emfcheck.Check([]byte(line), time.Now()); err != nil {
			fmt.Fprintf(&b, "[%d] not valid EMF, CloudWatch would drop it: %v\n", n, err)
			continue
		}
		series, err := emfcheck.Decode([]byte(line))
		if err != nil {
			fmt.Fprintf(&b, "[%d] %v\n", n, err)
			continue
		}
		b.WriteString(describe(n, series))
	}
	if n == 0 {
		return ""
	}
	return "\n== metrics published to CloudWatch (embedded metric format)\n" + b.String()
}

// describe folds the series of one line: the same values appear under
// every dimension set, so each metric is shown once.
func describe(n int, series []emfcheck.Series) string {
	dims := map[string]bool{}
	var sets []string
	setSeen := map[string]bool{}
	var metrics []string
	metricSeen := map[string]bool{}
	namespace := ""
	for _, s := range series {
		namespace = s.Namespace
		var names []string
		for _, d := range s.Dimensions {
			dims[d] = true
			names = append(names, strings.SplitN(d, "=", 2)[0])
		}
		set := strings.Join(names, "+")
		if set == "" {
			set = "(total)"
		}
		if !setSeen[set] {
			setSeen[set] = true
			sets = append(sets, set)
		}
		vals := make([]string, len(s.Values))
		for i, v := range s.Values {
			vals[i] = fmt.Sprint(v)
		}
		unit := s.Unit
		if unit == "" {
			unit = "None"
		}
		m := fmt.Sprintf("%-22s %10s %s", s.Name, strings.Join(vals, ","), unit)
		if !metricSeen[m] {
			metricSeen[m] = true
			metrics = append(metrics, m)
		}
	}
	var dimList []string
	for d := range dims {
		dimList = append(dimList, d)
	}
	sort.Strings(dimList)
	var b strings.Builder
	fmt.Fprintf(&b, "[%d] namespace %s  %s\n", n, namespace, strings.Join(dimList, " "))
	for _, m := range metrics {
		fmt.Fprintf(&b, "    %s\n", m)
	}
	sort.Strings(sets)
	fmt.Fprintf(&b, "    by: %s\n", strings.Join(sets, " | "))
	return b.String()
}
