package lambdahandler

import (
	"html/template"
	"strings"
	"sync"
)

// unsubscribePage is which page of the unsubscribe flow to show.
type unsubscribePage int

const (
	pageConfirm unsubscribePage = iota // GET: the question and the button
	pageDone                           // POST done (also when it already was)
	pageInvalid                        // the token does not verify
	pageRetry                          // the list could not be written now
)

// unsubscribeTexts are the pages' words in each language.
var unsubscribeTexts = map[string]map[unsubscribePage][3]string{ // title, text, button
	"ko": {
		pageConfirm: {"수신 거부", "이 발신자에게서 오는 메일을 더 받지 않으시겠습니까? 아래 버튼을 누르면 수신이 거부됩니다.", "수신 거부"},
		pageDone:    {"수신 거부 완료", "수신이 거부되었습니다. 이 발신자는 더 이상 이 주소로 메일을 보내지 않습니다.", ""},
		pageInvalid: {"유효하지 않은 링크", "이 수신 거부 링크는 유효하지 않습니다.", ""},
		pageRetry:   {"잠시 후 다시 시도", "지금은 처리할 수 없습니다. 잠시 후 다시 시도해 주세요.", ""},
	},
	"en": {
		pageConfirm: {"Unsubscribe", "Stop receiving mail from this sender? Press the button below to unsubscribe.", "Unsubscribe"},
		pageDone:    {"Unsubscribed", "You are unsubscribed. This sender will not send mail to this address again.", ""},
		pageInvalid: {"Link not valid", "This unsubscribe link is not valid.", ""},
		pageRetry:   {"Please try again", "This could not be done right now. Please try again in a minute.", ""},
	},
}

// unsubscribeHTML is the one page. The form has no action: it POSTs to
// the address the page was fetched from, whatever stage or domain that
// is, with the body RFC 8058 prescribes.
var unsubscribeHTML = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("page").Parse(`<!doctype html>
<html lang="{{.Lang}}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex"><title>{{.Title}}</title>
<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;line-height:1.5}button{font-size:1rem;padding:.6rem 1.2rem}</style>
</head><body><main><h1>{{.Title}}</h1><p id="message">{{.Text}}</p>
{{- if .Button}}
<form method="post"><input type="hidden" name="List-Unsubscribe" value="One-Click"><button id="unsubscribe" type="submit">{{.Button}}</button></form>
{{- end}}
</main></body></html>
`))
})

func renderUnsubscribePage(lang string, page unsubscribePage) string {
	t := unsubscribeTexts[lang][page]
	var b strings.Builder
	_ = unsubscribeHTML().Execute(&b, map[string]string{"Lang": lang, "Title": t[0], "Text": t[1], "Button": t[2]})
	return b.String()
}
