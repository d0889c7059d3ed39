package enmimedsn

import (
	"testing"
)

// BenchmarkParse measures notifications parsed per second for each sample
// (Gmail's has an HTML explanation and an icon; Postfix's is plain text).
func BenchmarkParse(b *testing.B) {
	for _, name := range []string{"gmail-failure.eml", "postfix-failed.eml", "postfix-multi-recipient.eml"} {
		raw := readSample(b, name)
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(raw)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Parse(raw); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "notifications/s")
		})
	}
}
