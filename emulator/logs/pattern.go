package logs

import (
	"regexp"
	"strings"
)

// pattern is a compiled filter pattern for unstructured log events, as
// CloudWatch documents them: terms that must all appear (ERROR Exception),
// quoted phrases ("Task timed out"), alternatives of which one must appear
// (?ERROR ?WARN), exclusions (-DEBUG), or a regular expression between
// percent signs (%time[a-z]+%). Matching is case-sensitive and by
// substring. When required terms and alternatives are mixed, lambdalab asks
// for all of the first and one of the second (*unverified*: AWS documents
// neither mix). JSON ({ $.level = "ERROR" }) and space-delimited ([a, b])
// patterns are refused.
type pattern struct {
	all  []string
	any  []string
	none []string
	re   *regexp.Regexp
}

const supportedPatterns = "lambdalab supports terms (ERROR), quoted phrases (\"Task timed out\"), ?alternatives, -exclusions and %regular expressions%"

// compilePattern parses a filter pattern; "" matches every event.
func compilePattern(src string) (*pattern, error) {
	src = strings.TrimSpace(src)
	switch {
	case src == "":
		return &pattern{}, nil
	case strings.HasPrefix(src, "{"):
		return nil, errInvalid("JSON filter patterns such as { $.level = \"ERROR\" } are not supported by lambdalab; %s.", supportedPatterns)
	case strings.HasPrefix(src, "["):
		return nil, errInvalid("Space-delimited filter patterns such as [ip, user, status] are not supported by lambdalab; %s.", supportedPatterns)
	case len(src) >= 2 && src[0] == '%' && src[len(src)-1] == '%':
		re, err := regexp.Compile(src[1 : len(src)-1])
		if err != nil {
			return nil, errInvalid("Invalid regular expression in filter pattern %s: %v", src, err)
		}
		return &pattern{re: re}, nil
	}
	p := &pattern{}
	for rest := src; rest != ""; rest = strings.TrimLeft(rest, " \t") {
		op := rest[0]
		if op == '?' || op == '-' {
			rest = rest[1:]
		}
		term, tail, err := nextTerm(rest)
		if err != nil {
			return nil, err
		}
		if term == "" {
			return nil, errInvalid("Invalid filter pattern %q: %q must be followed by a term.", src, string(op))
		}
		rest = tail
		switch op {
		case '?':
			p.any = append(p.any, term)
		case '-':
			p.none = append(p.none, term)
		default:
			p.all = append(p.all, term)
		}
	}
	return p, nil
}

// nextTerm reads one quoted phrase or bare word from the start of s.
func nextTerm(s string) (term, rest string, err error) {
	if !strings.HasPrefix(s, `"`) {
		i := strings.IndexAny(s, " \t")
		if i < 0 {
			return s, "", nil
		}
		return s[:i], s[i:], nil
	}
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\\' && i+1 < len(s):
			i++
			b.WriteByte(s[i])
		case c == '"':
			return b.String(), s[i+1:], nil
		default:
			b.WriteByte(c)
		}
	}
	return "", "", errInvalid("Invalid filter pattern %s: the quoted phrase is not closed.", s)
}

// match reports whether a message matches the pattern.
func (p *pattern) match(msg string) bool {
	if p.re != nil {
		return p.re.MatchString(msg)
	}
	for _, t := range p.all {
		if !strings.Contains(msg, t) {
			return false
		}
	}
	for _, t := range p.none {
		if strings.Contains(msg, t) {
			return false
		}
	}
	if len(p.any) == 0 {
		return true
	}
	for _, t := range p.any {
		if strings.Contains(msg, t) {
			return true
		}
	}
	return false
}

// matchesAll reports whether the pattern lets every event through, so a
// scan can skip matching.
func (p *pattern) matchesAll() bool {
	return p.re == nil && len(p.all)+len(p.any)+len(p.none) == 0
}
