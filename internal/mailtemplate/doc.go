// Package mailtemplate parses and renders stored mail templates: a subject,
// an HTML body and an optional text body, each a Go template over the
// variables a send request carries.
//
// The HTML body is rendered by html/template, which escapes every value by
// the context it lands in (element text, a quoted or unquoted attribute, a
// URL in href or src, CSS, JavaScript); a `javascript:` URL from a variable
// becomes "#ZgotmplZ". No variable's value can make itself raw HTML: only
// the template's own text is markup. The subject and the text body are
// rendered by text/template (they are not HTML), and the rendered subject
// is refused when a variable brought a line break or control character
// into it, so no variable can add a header.
//
// A variable the template uses and the request does not give is an error
// naming it (missingkey=error), never an empty string. Parse errors name
// the part, line and column.
//
// The package knows nothing of storage or sending: it imports no AWS or
// SMTP code.
package mailtemplate
