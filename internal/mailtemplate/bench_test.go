package mailtemplate

import (
	"testing"
)

// BenchmarkRender renders a booking confirmation (subject, HTML with a
// link and a list, text) and reports templates rendered per second.
func BenchmarkRender(b *testing.B) {
	p := mustParse(b, Source{
		Subject: "예약 확인: {{.name}}님, {{.time}}",
		HTML: `<h1>{{.name}}님, 예약이 확정되었습니다</h1><p>일시: {{.time}}</p>` +
			`<ul>{{range .items}}<li>{{.}}</li>{{end}}</ul><p><a href="{{.url}}">예약 보기</a></p>`,
		Text: "{{.name}}님, 예약이 확정되었습니다.\n일시: {{.time}}\n{{.url}}",
	})
	v := map[string]any{"name": "홍길동 <VIP>", "time": "12월 5일 10:00", "url": "https://example.com/b/1024",
		"items": []any{"2인", "창가석", "케이크 🎂"}}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := p.Render(v); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "renders/s")
}
