package emfcheck

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// Series is one metric value as CloudWatch will record it: a document
// publishes each of its metrics once per dimension set.
type Series struct {
	Namespace  string
	Name       string
	Unit       string // "" when the definition names none (CloudWatch's None)
	Values     []float64
	Dimensions []string // "Name=value", in the set's order; empty for the total
}

// String reads like "Sends 1 Count {Source=sqs, Outcome=sent}".
func (s Series) String() string {
	vals := make([]string, len(s.Values))
	for i, v := range s.Values {
		vals[i] = fmt.Sprint(v)
	}
	unit := s.Unit
	if unit == "" {
		unit = "None"
	}
	dims := "(no dimension)"
	if len(s.Dimensions) > 0 {
		dims = "{" + strings.Join(s.Dimensions, ", ") + "}"
	}
	return fmt.Sprintf("%s %s %s %s", s.Name, strings.Join(vals, ","), unit, dims)
}

type document struct {
	AWS struct {
		CloudWatchMetrics []struct {
			Namespace  string     `json:"Namespace"`
			Dimensions [][]string `json:"Dimensions"`
			Metrics    []struct {
				Name string `json:"Name"`
				Unit string `json:"Unit"`
			} `json:"Metrics"`
		} `json:"CloudWatchMetrics"`
	} `json:"_aws"`
}

// Decode lists the series of one EMF line, sorted by namespace, name and
// dimensions. It does not check the line (Check does).
func Decode(line []byte) ([]Series, error) {
	var doc document
	var root map[string]json.RawMessage
	if err := json.Unmarshal(line, &doc); err != nil {
		return nil, fmt.Errorf("emfcheck: %w", err)
	}
	if err := json.Unmarshal(line, &root); err != nil {
		return nil, fmt.Errorf("emfcheck: %w", err)
	}
	var out []Series
	for _, d := range doc.AWS.CloudWatchMetrics {
		for _, m := range d.Metrics {
			values, err := numbers(root[m.Name])
			if err != nil {
				return nil, fmt.Errorf("emfcheck: metric %q: %w", m.Name, err)
			}
			for _, set := range d.Dimensions {
				s := Series{Namespace: d.Namespace, Name: m.Name, Unit: m.Unit, Values: values}
				for _, dim := range set {
					var v string
					_ = json.Unmarshal(root[dim], &v)
					s.Dimensions = append(s.Dimensions, dim+"="+v)
				}
				out = append(out, s)
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Namespace != b.Namespace {
			return a.Namespace < b.Namespace
		}
		if a.Name != b.Name {
			return a.Name < b.Name
		}
		return strings.Join(a.Dimensions, ",") < strings.Join(b.Dimensions, ",")
	})
	return out, nil
}

func numbers(raw json.RawMessage) ([]float64, error) {
	var one float64
	if err := json.Unmarshal(raw, &one); err == nil {
		return []float64{one}, nil
	}
	var many []float64
	if err := json.Unmarshal(raw, &many); err != nil {
		return nil, fmt.Errorf("not a number or an array of numbers")
	}
	return many, nil
}
