//! The grammar on whole apps: shapes, positions and error texts.

mod grammar {
    use super::super::*;

    fn parse(text: &str) -> (AppAst, Vec<Diagnostic>) {
        parse_app(text, &|_| None)
    }

    #[test]
    fn parses_streams_queries_and_attaches_annotations() {
        let (app, errors) = parse(
            "@app:name('T')\n@source(type='datagen')\nCREATE STREAM Trades (symbol STRING, price DOUBLE, volume INT);\n\
             @info(name='q1')\nINSERT INTO Out SELECT symbol, price * 2.0 AS p2 FROM Trades WHERE volume > 500;",
        );
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(app.app_annotations.len(), 1);
        assert_eq!(app.statements.len(), 2);
        assert_eq!(app.statements[0].annotations[0].name, "source");
        assert_eq!(app.statements[1].annotations[0].name, "info");
        let StatementKind::CreateStream(s) = &app.statements[0].kind else {
            panic!()
        };
        assert_eq!(s.attrs.len(), 3);
        assert_eq!(s.attrs[2].ty, AttrType::Int);
        let StatementKind::Query(q) = &app.statements[1].kind else {
            panic!()
        };
        assert_eq!(q.target.value, "Out");
        assert_eq!(q.from.value, "Trades");
        assert_eq!(q.from.pos, Pos::new(5, 55));
        assert!(q.filter.is_some());
        assert_eq!(q.projection.len(), 2);
    }

    #[test]
    fn with_clause_and_output_kinds() {
        let (app, errors) = parse(
            "CREATE STREAM S (a INT) WITH (type='source', extension='datagen', \"fields.a.kind\"='sequence', count=5);\nINSERT ALL EVENTS INTO O SELECT * FROM S;",
        );
        assert!(errors.is_empty(), "{errors:?}");
        let StatementKind::CreateStream(s) = &app.statements[0].kind else {
            panic!()
        };
        assert_eq!(s.with.len(), 4);
        assert_eq!(s.with[2].key, "fields.a.kind");
        assert_eq!(s.with[3].value, "5");
        let StatementKind::Query(q) = &app.statements[1].kind else {
            panic!()
        };
        assert_eq!(q.output, OutputEvents::All);
    }

    #[test]
    fn reports_every_broken_statement() {
        let (_, errors) = parse(
            "CREATE STREAM S (a INTT);\nCREATE STREAM T (b INT);\nINSERT INTO X SELEC a FROM S;",
        );
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert_eq!(
            errors[0].message,
            "unknown type 'INTT' (did you mean 'INT'?)"
        );
        assert_eq!(errors[0].pos, Pos::new(1, 20));
        assert_eq!(errors[1].pos, Pos::new(3, 15));
    }

    #[test]
    fn joins_parse_with_windows_aliases_and_unidirectional() {
        let (app, errors) = parse(
            "INSERT INTO O SELECT a.x FROM A WINDOW('length', 3) AS a UNIDIRECTIONAL FULL OUTER JOIN B AS b WINDOW('length', 1) ON a.x = b.y;",
        );
        assert!(errors.is_empty(), "{errors:?}");
        let StatementKind::Query(q) = &app.statements[0].kind else {
            panic!()
        };
        assert!(q.unidirectional);
        assert_eq!(q.alias.as_ref().unwrap().value, "a");
        let j = q.join.as_ref().unwrap();
        assert_eq!(j.kind, JoinKind::Full);
        assert_eq!(j.right.alias.as_ref().unwrap().value, "b");
        assert!(j.right.window.is_some() && j.on.is_some() && !j.right.unidirectional);
    }

    #[test]
    fn full_query_shape_with_windows_and_output_rate() {
        let (app, errors) = parse(
            "INSERT ALL EVENTS INTO O SELECT s, sum(p) AS t FROM S WINDOW('time', 1.5 SEC) WHERE p > 0 \
             GROUP BY s HAVING t > 1 ORDER BY t DESC, s LIMIT 5 OFFSET 1 OUTPUT LAST EVERY 3 EVENTS;\n\
             INSERT INTO O2 SELECT s FROM S WINDOW TUMBLING(1 MINUTE) OUTPUT SNAPSHOT EVERY 500 MILLISECONDS;\n\
             INSERT INTO O3 SELECT s FROM S WINDOW('length', 4) OUTPUT EVERY 10 EVENTS;",
        );
        assert!(errors.is_empty(), "{errors:?}");
        let StatementKind::Query(q) = &app.statements[0].kind else {
            panic!()
        };
        let w = q.window.as_ref().unwrap();
        assert_eq!(w.name.value, "time");
        assert!(matches!(w.args[0], WindowArg::Duration { ms: 1500, .. }));
        assert_eq!(q.group_by.len(), 1);
        assert!(q.having.is_some());
        assert_eq!(q.order_by.len(), 2);
        assert!(!q.order_by[0].asc && q.order_by[1].asc);
        assert_eq!((q.limit, q.offset), (Some(5), Some(1)));
        let r = q.output_rate.unwrap();
        assert_eq!(
            (r.mode, r.every),
            (OutputMode::Last, OutputEvery::Events(3))
        );
        let StatementKind::Query(q2) = &app.statements[1].kind else {
            panic!()
        };
        assert_eq!(q2.window.as_ref().unwrap().name.value, "tumbling");
        assert!(matches!(
            q2.window.as_ref().unwrap().args[0],
            WindowArg::Duration { ms: 60_000, .. }
        ));
        assert_eq!(q2.output_rate.unwrap().every, OutputEvery::Millis(500));
        let StatementKind::Query(q3) = &app.statements[2].kind else {
            panic!()
        };
        assert_eq!(q3.output_rate.unwrap().mode, OutputMode::All);
    }

    #[test]
    fn dangling_annotation_is_an_error() {
        let (_, errors) = parse("CREATE STREAM S (a INT);\n@sink(type='log')");
        assert_eq!(errors.len(), 1);
        assert!(errors[0].message.contains("not followed by a statement"));
    }
}

mod patterns {
    use super::super::*;

    #[test]
    fn patterns_and_sequences_parse() {
        let (app, errors) = parse_app(
            "INSERT INTO O SELECT e1.symbol AS a FROM PATTERN (every e1=S1[price > 1] -> e2=S2) WITHIN 1 SECOND;\n\
             INSERT INTO O SELECT e1.symbol AS a FROM SEQUENCE (e1=S1, e2=S2[price > e1.price]);",
            &|_| None,
        );
        assert!(errors.is_empty(), "{errors:?}");
        let StatementKind::Query(q) = &app.statements[0].kind else {
            panic!()
        };
        let pat = q.pattern.as_ref().expect("pattern");
        assert_eq!(pat.elements.len(), 2);
        assert!(pat.elements[0].every && !pat.sequence);
        assert_eq!(pat.within, Some(1000));
        let StatementKind::Query(q) = &app.statements[1].kind else {
            panic!()
        };
        assert!(q.pattern.as_ref().unwrap().sequence);
    }
}
