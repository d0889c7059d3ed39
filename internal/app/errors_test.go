package app_test

import gosmtp "github.com/emersion/go-smtp"

var gosmtpError550545 = gosmtp.SMTPError{Code: 550, EnhancedCode: gosmtp.EnhancedCode{5, 4, 5},
	Message: "Daily user sending limit exceeded. For more information on Gmail sending limits go to https://support.google.com/a/answer/166852"}
