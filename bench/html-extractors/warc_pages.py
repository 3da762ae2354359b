# Writes the HTML payloads of a WARC file's response records as OUT/<n>.html (for timing
# the extractors on real pages). Standard library only; handles record-at-a-time gzip.
#   python3 bench/html-extractors/warc_pages.py ../shared/data/warc/resiliparse-cc-main-2020-34-excerpt.warc.gz /tmp/ccpages
import gzip, os, sys

src, out = sys.argv[1], sys.argv[2]
os.makedirs(out, exist_ok=True)
data = gzip.open(src).read() if src.endswith('.gz') else open(src, 'rb').read()
pos, n = 0, 0
while True:
    start = data.find(b'WARC/', pos)
    if start < 0:
        break
    head_end = data.find(b'\r\n\r\n', start)
    headers = dict(l.split(b': ', 1) for l in data[start:head_end].split(b'\r\n')[1:] if b': ' in l)
    length = int(headers.get(b'Content-Length', b'0'))
    body = data[head_end + 4: head_end + 4 + length]
    pos = head_end + 4 + length
    if headers.get(b'WARC-Type') == b'response' and b'\r\n\r\n' in body:
        http_head, payload = body.split(b'\r\n\r\n', 1)
        if b'text/html' in http_head.lower():
            n += 1
            open(os.path.join(out, f'{n:03}.html'), 'wb').write(payload)
print(n, 'pages')
