package emf

// Metrics of the message store and the quota guard (the domain package at the module root).
const (
	MetricIdempotentReplays = "IdempotentReplays"
	MetricQuotaUsedPercent  = "QuotaUsedPercent"
)

var (
	replayDirective = Directive{
		Dimensions: [][]string{{}, {DimensionSource}},
		Metrics:    []Definition{{MetricIdempotentReplays, Count}},
	}
	quotaDirective = Directive{
		Dimensions: [][]string{{}, {DimensionAccount}},
		Metrics:    []Definition{{MetricQuotaUsedPercent, Percent}},
	}
)

// IdempotentReplay records a request answered from the record of an
// earlier one with the same idempotency key instead of being sent again,
// in total and by source.
func (w *Writer) IdempotentReplay(source string) error {
	return w.Write(Document{
		Directives: []Directive{replayDirective},
		Values:     map[string]float64{MetricIdempotentReplays: 1},
		Dimensions: map[string]string{DimensionSource: source},
	})
}

// QuotaUsed records how much of an account's sending quota its current
// window has used, as a percentage of limit: by account, and with no
// dimension, where the Maximum is the fullest account (what the quota
// alarm watches). account goes through Account, so an address never
// becomes a dimension. A limit of 0 (no quota) records nothing.
func (w *Writer) QuotaUsed(account string, used, limit int) error {
	if limit <= 0 {
		return nil
	}
	return w.Write(Document{
		Directives: []Directive{quotaDirective},
		Values:     map[string]float64{MetricQuotaUsedPercent: 100 * float64(used) / float64(limit)},
		Dimensions: map[string]string{DimensionAccount: Account(account)},
	})
}
