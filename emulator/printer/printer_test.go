package printer

import "testing"

// TestObjectQuotesControlCharacters: a key cannot forge a log line or send
// escape sequences to the terminal.
func TestObjectQuotesControlCharacters(t *testing.T) {
	for key, want := range map[string]string{
		"cat.png":                "b/cat.png",
		"ümlaut é.png":           "b/ümlaut é.png",
		"x\n12:00:00.000 S3 PUT": `b/"x\n12:00:00.000 S3 PUT"`,
		"\x1b[2Jclear":           `b/"\x1b[2Jclear"`,
	} {
		if got := object("b", key); got != want {
			t.Errorf("object(%q) = %s, want %s", key, got, want)
		}
	}
}
