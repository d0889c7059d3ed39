package metrics

// Metrics of the bounce reader (functions/bounces).
const (
	MetricBouncesFound         = "BouncesFound"
	MetricNotificationsSkipped = "NotificationsSkipped"
)

var bounceDirective = Directive{
	Dimensions: [][]string{{}, {DimensionAccount}},
	Metrics:    []Definition{{MetricBouncesFound, Count}, {MetricNotificationsSkipped, Count}},
}

// Bounces records one pass of the bounce reader over an account's mailbox:
// the delivery-status notifications it recognised as bounces, and the
// messages it looked at and skipped (not a bounce, not ours, unparsable),
// in total and by account. The bounce-rate alarm divides the total
// BouncesFound by the Sends that were sent.
func (w *Writer) Bounces(account string, found, skipped int) error {
	return w.Write(Document{
		Directives: []Directive{bounceDirective},
		Values:     map[string]float64{MetricBouncesFound: float64(found), MetricNotificationsSkipped: float64(skipped)},
		Dimensions: map[string]string{DimensionAccount: Account(account)},
	})
}
