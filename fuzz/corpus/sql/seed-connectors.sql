@source(type='http', port='8080', auth='none', @map(type='json'))
CREATE STREAM S (x INT);
@sink(type='file', path='out.jsonl', @map(type='json'))
CREATE STREAM O (x INT);
INSERT INTO O SELECT x FROM S;
