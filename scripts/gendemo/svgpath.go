package main

import (
	"fmt"
	"regexp"
	"strings"
)

// pathAttr finds the path data of an SVG element.
var pathAttr = regexp.MustCompile(`\sd="([^"]*)"`)

// normalizeSVG rewrites every path's data with one space between numbers.
// simple-icons minifies arcs as "a.632.632 0 01.195.088" (flags run into
// the next number), which oksvg misreads.
func normalizeSVG(svg []byte) ([]byte, error) {
	var firstErr error
	out := pathAttr.ReplaceAllFunc(svg, func(m []byte) []byte {
		d := pathAttr.FindSubmatch(m)[1]
		n, err := normalizePath(string(d))
		if err != nil && firstErr == nil {
			firstErr = err
		}
		return []byte(` d="` + n + `"`)
	})
	return out, firstErr
}

// arity is the number of arguments of each path command.
var arity = map[byte]int{'M': 2, 'L': 2, 'T': 2, 'H': 1, 'V': 1, 'C': 6, 'S': 4, 'Q': 4, 'A': 7, 'Z': 0}

// normalizePath tokenises SVG path data following the SVG grammar, where
// an arc's large-arc and sweep flags are single characters.
func normalizePath(d string) (string, error) {
	var b strings.Builder
	i := 0
	skip := func() {
		for i < len(d) && (d[i] == ' ' || d[i] == ',' || d[i] == '\n' || d[i] == '\t' || d[i] == '\r') {
			i++
		}
	}
	number := func() (string, error) {
		start := i
		if i < len(d) && (d[i] == '+' || d[i] == '-') {
			i++
		}
		digits, dot := 0, false
		for i < len(d) {
			c := d[i]
			switch {
			case c >= '0' && c <= '9':
				digits++
			case c == '.' && !dot:
				dot = true
			case (c == 'e' || c == 'E') && digits > 0:
				i++
				if i < len(d) && (d[i] == '+' || d[i] == '-') {
					i++
				}
				for i < len(d) && d[i] >= '0' && d[i] <= '9' {
					i++
				}
				return d[start:i], nil
			default:
				if digits == 0 {
					return "", fmt.Errorf("path data: bad number at %d", start)
				}
				return d[start:i], nil
			}
			i++
		}
		if digits == 0 {
			return "", fmt.Errorf("path data: bad number at %d", start)
		}
		return d[start:i], nil
	}
	var cmd byte
	for {
		skip()
		if i >= len(d) {
			break
		}
		c := d[i]
		if up := c &^ 0x20; up >= 'A' && up <= 'Z' {
			if _, ok := arity[up]; !ok {
				return "", fmt.Errorf("path data: unknown command %q", c)
			}
			cmd = c
			b.WriteByte(' ')
			b.WriteByte(c)
			i++
			continue
		}
		n := arity[cmd&^0x20]
		if cmd == 0 || n == 0 {
			return "", fmt.Errorf("path data: number without a command at %d", i)
		}
		for k := range n {
			skip()
			if cmd&^0x20 == 'A' && (k == 3 || k == 4) {
				if i >= len(d) || (d[i] != '0' && d[i] != '1') {
					return "", fmt.Errorf("path data: bad arc flag at %d", i)
				}
				b.WriteByte(' ')
				b.WriteByte(d[i])
				i++
				continue
			}
			num, err := number()
			if err != nil {
				return "", err
			}
			b.WriteByte(' ')
			b.WriteString(num)
		}
	}
	return strings.TrimSpace(b.String()), nil
}
