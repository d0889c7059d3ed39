package gomailmime

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/gmailsend/gmailsend"
)

func benchRequest(b *testing.B, attachment int) []byte {
	b.Helper()
	var html strings.Builder
	for html.Len() < 10<<10 {
		html.WriteString("<p>주문하신 상품이 발송되었습니다. Your order has shipped.</p>\n")
	}
	body, err := json.Marshal(map[string]any{
		"user": "sender@gmail.com", "password": "abcdefghijklmnop", "fromUsername": "주문 알림",
		"toEmail": "kim@example.com", "subject": "[주문 #1024] 배송이 시작되었습니다", "message": html.String(),
		"attachments": []map[string]string{{"filename": "invoice.pdf", "content": base64.StdEncoding.EncodeToString(make([]byte, attachment))}},
	})
	if err != nil {
		b.Fatal(err)
	}
	return body
}

// benchmarkPipeline measures decode + validate + build + encode of one request.
func benchmarkPipeline(b *testing.B, attachment int) {
	body := benchRequest(b, attachment)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		r, err := gmailsend.DecodeRequest(body)
		if err != nil {
			b.Fatal(err)
		}
		m, err := gmailsend.Validate(r, gmailsend.DefaultLimits())
		if err != nil {
			b.Fatal(err)
		}
		built := Build(m, time.Now())
		if err := CheckSize(built, m, gmailsend.DefaultLimits().MaxMessageBytes); err != nil {
			b.Fatal(err)
		}
		if _, err := built.Message.WriteTo(io.Discard); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkTypicalMessage is the benchmark message: 10 KB HTML, 100 KB attachment, Hangul subject.
func BenchmarkTypicalMessage(b *testing.B) { benchmarkPipeline(b, 100<<10) }

// BenchmarkTenMegabyteAttachment is the same message with a 10 MB attachment.
func BenchmarkTenMegabyteAttachment(b *testing.B) { benchmarkPipeline(b, 10<<20) }
