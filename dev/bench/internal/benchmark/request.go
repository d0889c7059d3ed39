package benchmark

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
)

// Request is the benchmark message: a 10 KB HTML body with its text, one
// 100 KB attachment and a Hangul subject.
func Request() map[string]any {
	var html, text strings.Builder
	for i := 0; html.Len() < 10<<10; i++ {
		fmt.Fprintf(&html, "<p>%d번째 문단: 주문하신 상품이 발송되었습니다. Your order has shipped.</p>\n", i)
		fmt.Fprintf(&text, "%d번째 문단: 주문하신 상품이 발송되었습니다. Your order has shipped.\n", i)
	}
	att := make([]byte, 100<<10)
	_, _ = rand.Read(att)
	return map[string]any{
		"user": "sender@gmail.com", "password": "abcdefghijklmnop", "fromUsername": "주문 알림",
		"toEmail": "kim@example.com", "subject": "[주문 #1024] 배송이 시작되었습니다",
		"message": html.String(), "text": text.String(),
		"attachments": []map[string]string{{"filename": "invoice.pdf", "contentType": "application/pdf",
			"content": base64.StdEncoding.EncodeToString(att)}},
	}
}

// sqsBatch wraps n copies of the request in an SQS event.
func sqsBatch(req []byte, n int) []byte {
	type record struct {
		MessageID   string `json:"messageId"`
		Body        string `json:"body"`
		EventSource string `json:"eventSource"`
	}
	recs := make([]record, n)
	for i := range recs {
		recs[i] = record{MessageID: fmt.Sprintf("bench-%d", i), Body: string(req), EventSource: "aws:sqs"}
	}
	b, _ := json.Marshal(map[string]any{"Records": recs})
	return b
}
