package emf

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"time"
)

// Metric and dimension names. docs/operations.md ("Metrics and alarms")
// lists each one; template.yaml's alarms refer to them by these names.
const (
	MetricSends                 = "Sends"
	MetricDuration              = "Duration"
	MetricSMTPRoundTrips        = "SMTPRoundTrips"
	MetricRecipients            = "Recipients"
	MetricStoredCredentialSends = "StoredCredentialSends"

	DimensionOutcome = "Outcome"
	DimensionSource  = "Source"
	DimensionAccount = "Account"
)

// Send is what one send contributes to the metrics. It holds no address,
// subject, body or secret.
type Send struct {
	Source  string // what invoked the function: apigateway-rest, sqs, …
	Outcome string // "sent" or the error code
	// Credential is the stored credential's name; "" for an inline
	// password or token, whose account is never a dimension (it would be
	// an address, and callers choose them freely).
	Credential string
	Duration   time.Duration
	RoundTrips int // client→server flights to the SMTP server
	Recipients int // To+Cc+Bcc, 0 when the request did not validate
}

// sendDirective is published for every send: counts, latency, round trips
// and recipients by outcome and by source and outcome.
var sendDirective = Directive{
	Dimensions: [][]string{{DimensionOutcome}, {DimensionSource, DimensionOutcome}},
	Metrics: []Definition{
		{MetricSends, Count}, {MetricDuration, Milliseconds},
		{MetricSMTPRoundTrips, Count}, {MetricRecipients, Count},
	},
}

// storedDirective is published for sends with a stored credential, by
// outcome (what the credential alarm watches) and by account and outcome
// (which credential it is).
var storedDirective = Directive{
	Dimensions: [][]string{{DimensionOutcome}, {DimensionAccount, DimensionOutcome}},
	Metrics:    []Definition{{MetricStoredCredentialSends, Count}},
}

// Send writes the metrics of one send.
func (w *Writer) Send(s Send) error {
	d := Document{
		Directives: []Directive{sendDirective},
		Values: map[string]float64{
			MetricSends: 1, MetricDuration: float64(s.Duration.Microseconds()) / 1000,
			MetricSMTPRoundTrips: float64(s.RoundTrips), MetricRecipients: float64(s.Recipients),
		},
		Dimensions: map[string]string{DimensionOutcome: s.Outcome, DimensionSource: s.Source},
	}
	if s.Credential != "" {
		d.Directives = append(d.Directives, storedDirective)
		d.Values[MetricStoredCredentialSends] = 1
		d.Dimensions[DimensionAccount] = Account(s.Credential)
	}
	return w.Write(d)
}

// Account is the Account dimension's value for a stored credential name
// (or any other account key). Names are operator-chosen labels such as
// "support-desk"; a name that contains "@" may be an address (and one
// outside printable ASCII is no valid dimension), so it is replaced by
// "acct-" and the first 12 hex digits of its SHA-256
// (`printf %s NAME | sha256sum | cut -c1-12` finds it). The dimension's
// cardinality is the number of stored credentials.
func Account(name string) string {
	plain := name != "" && !strings.Contains(name, "@")
	for i := 0; i < len(name) && plain; i++ {
		plain = name[i] > ' ' && name[i] < 0x7f
	}
	if plain {
		return name
	}
	sum := sha256.Sum256([]byte(name))
	return "acct-" + hex.EncodeToString(sum[:])[:12]
}
