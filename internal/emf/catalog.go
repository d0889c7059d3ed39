package emf

// Published is one metric as CloudWatch shows it: its name, unit, and the
// dimension sets it is published under.
type Published struct {
	Name       string
	Unit       Unit
	Dimensions [][]string
}

// Catalog lists every metric this package publishes, from the very
// directives the writers use, so docs/operations.md's table and template.yaml's alarms
// are checked against what is really written.
func Catalog() []Published {
	var out []Published
	for _, d := range []Directive{sendDirective, storedDirective, replayDirective, quotaDirective, bounceDirective, skippedDirective,
		batchDirective, publishedDirective, deliveryDirective, responseDirective, latencyDirective} {
		for _, m := range d.Metrics {
			out = append(out, Published{Name: m.Name, Unit: m.Unit, Dimensions: d.Dimensions})
		}
	}
	return out
}
