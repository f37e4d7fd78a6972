# Python 2.7 script: writes re_oracle.json, the expected results of
# re.match(pattern, subject, re.IGNORECASE) for the cases below, which
# es/pattern_test.go compares with the Go translation.
#   $PY2 es/testdata/gen_re_oracle.py > es/testdata/re_oracle.json
import json
import re
import sys

SUBJECTS = [
    "", "a", "A", "abc", "ABC", "aBc", "abcd", "xabc", "abc\n", "abc\nx", "\n",
    "StockQuotes", "STOCKQUOTE.SUN", "stockquote.sap", "STOCKQUOTE.IBM",
    "CARS.HEADING.north", "cars.heading.NORTH", "x1", "123", "a_b", "a b",
    "a\tb", "a\vb", "a\fb", "a\x00b", "{", "a{", "a{2}", "aa", "aaa", "aaaa",
    "-", "]", "[", "\\", "^", "$", "a.b", "a-b", "\xe9", "\xc9", "\xe9t\xe9",
    "caf\xe9", "CAF\xc9", "\x08", "Z", "z", "[", "`", "_", "@", "9", ":", "::",
    "foo", "FOO", "foobar", "barfoo", "bar", "ab", "ba", "abab", "a\nb",
]

PATTERNS = [
    # literals and case folding
    "", "a", "A", "abc", "ABC", "b", "abc$", "^abc", "^abc$", "a.c", "a\\.b",
    "StockQuotes", "stockquote\\.s.*", "^STOCKQUOTE\\.S.*$", "STOCKQUOTE\\..*",
    "cars\\.heading\\.(north|south)", "CARS.HEADING.NORTH$",
    "\xe9", "\xc9", "caf\xe9", "caf.", "caf\\xe9", "CAF\\xc9",
    # classes
    "[abc]", "[ABC]", "[a-c]+$", "[A-C]+$", "[^a]", "[^A]", "[^abc]", "[]]", "[]a]",
    "[^]]", "[a-]", "[-a]", "[\\]]", "[\\-a]", "[\\\\]", "[.]", "[$]", "[\\^]", "[a^]",
    "[\\d]", "[\\D]", "[\\w]+$", "[\\W]", "[\\s]", "[\\S]", "[^\\s]", "[^\\S]", "[\\b]",
    "[\\x41]", "[\\101]", "[\\0]", "[\\n]", "[Z-a]", "[Z-a]+$", "[@-\\x60]+$", "[\\x00-\\x1f]",
    "[[]", "[[:alpha:]]", "[\xc0-\xff]", "[\xe0-\xff]", "[^\xe9]", "[a-z\\d_]+$",
    # escapes and categories
    "\\d", "\\d+$", "\\D", "\\w+", "\\w+$", "\\W", "\\s", "\\S", "a\\sb", "a\\Sb",
    "\\x41", "\\x61", "\\101", "\\0", "\\00", "\\x7b", "\\n", "\\t", "a\\vb", "a\\fb",
    "\\q", "\\-", "\\{", "\\A", "\\Aabc", "abc\\Z", "a\\Z", "\\ba", "a\\b", "a\\B", "\\Ba",
    "\\\\", "\\$", "\\^", "\\e",
    # quantifiers
    "a*", "a+", "a?", "a*$", "a+$", "a{2}", "a{2}$", "a{2,}", "a{2,}$", "a{,2}$", "a{1,2}$",
    "a{,}$", "a{", "a{}", "a{x}", "a{2", "a{2,", "{", "x{1,0}", "a*?", "a+?$", "a??b", "a{1,2}?$",
    "(ab)*$", "(?:ab)+$", "(a|b)+$", "a**", "*a", "+", "?", "a{2}{3}", "^*", "$*", "\\b+",
    "a{1000}", "a{1001}", "a{65535}", "a{65536}",
    # groups
    "(abc)", "(?:abc)", "(?P<n>abc)", "(?P<n>a)(?P<n>b)", "(?P<1n>a)", "(?P<>a)", "(?P<n",
    "(?#comment)abc", "a(?#x)b", "(?#unterminated", "(a", "a)", "()", "(|a)b", "(?:)", "(?",
    "(?P", "(?Px", "(?<x>a)", "(?z)", "(?i", "(a)|b", "a|b|c$", "foo|bar", "(foo|bar)$",
    # flags
    "(?i)abc", "(?s)a.b", "a.b", "(?m)^b", "(?m)a$", "(?m)abc$", "a(?s).b", "(?x) a b c ",
    "(?x)a # comment\nb", "(?x)a\\ b", "(?x)[ ]", "(?x)a b(?#c) c$", "(?ms)a.b$", "a(?x) b",
    # dollar semantics
    "abc$", "abc\\n$", "abc$$", "abc\\Z", "a$|b", "(a$)", "(a$|b)", "x$", "\\n$", "^$",
    # unsupported in RE2 (backreferences, lookaround, conditionals, locale/unicode)
    "(a)\\1", "(?P<x>a)(?P=x)", "a(?=b)", "a(?!b)", "(?<=a)b", "(?<!a)b", "(a)?(?(1)b|c)",
    "(?L)a", "(?u)a", "\\1", "(?P=x)", "a$b", "a$\\n", "abc$\\Z", "(a$)*", "(a$|b)c", "a$(b)",
    # invalid in Python
    "[", "[a", "[a-", "[z-a]", "[a-\\d]", "\\", "a\\", "(?P<n>", "\\x", "\\xg", "[\\x]",
    "\\9", "[\\9]", ")",
]


def text(s):
    return s.decode("latin-1")


def main():
    out = []
    for p in PATTERNS:
        case = {"pattern": text(p)}
        try:
            rx = re.compile(p, re.I)
        except Exception as e:
            case["error"] = "%s: %s" % (type(e).__name__, e)
        else:
            case["subjects"] = [text(s) for s in SUBJECTS]
            case["matches"] = [rx.match(s) is not None for s in SUBJECTS]
        out.append(case)
    json.dump(out, sys.stdout, indent=0, sort_keys=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
