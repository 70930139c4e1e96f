import Contracts
import FinanceDomain
import Foundation
import Hummingbird
import Messaging
import ServiceKit
import Storage

/// Finance over HTTP: invoices, customer accounts and terms, payments, collections, the books.
enum FinanceAPI {
    struct Terms: Decodable {
        let kind: String, depositPercent: Int64?, netDays: Int?
    }
    struct Collections: Decodable { let asOf: BusinessDate }

    static let invoiceColumns = """
        number AS "invoiceNumber", order_ref AS "orderRef", customer_code AS "customerCode", kind, amount, outstanding,
        currency, issue_date AS "issueDate", due_date AS "dueDate", status, overdue_on AS "overdueOn"
        """

    static func add(_ router: Router<ServiceRequestContext>, _ env: ServiceEnvironment) {
        router.get("/invoices") { request, _ in
            let customer = request.uri.queryParameters["customer"].map(String.init)
            let order = request.uri.queryParameters["order"].map(String.init)
            return try await HTTPJSON.list(env.pool, """
                SELECT \(invoiceColumns) FROM invoices
                WHERE ($1::text IS NULL OR customer_code = $1) AND ($2::text IS NULL OR order_ref = $2)
                ORDER BY issue_date DESC, number DESC LIMIT 1000
                """, [customer.map(PGValue.text) ?? .null, order.map(PGValue.text) ?? .null])
        }
        router.get("/invoices/:number") { _, context in
            let number = try context.parameters.require("number")
            return try await HTTPJSON.one(env.pool, """
                SELECT \(invoiceColumns), (SELECT COALESCE(json_agg(a ORDER BY a.id), '[]') FROM (SELECT id, source,
                        source_ref AS "reference", amount, at FROM allocations WHERE invoice_number = i.number) a) AS allocations
                FROM invoices i WHERE number = $1
                """, [.text(number)], notFound: "no invoice \(number)")
        }
        router.get("/customers/:code/account") { request, context in
            let code = try context.parameters.require("code")
            let asOf = request.uri.queryParameters["asOf"].flatMap { BusinessDate(String($0)) } ?? BusinessDate(Date())
            guard let row = try await env.pool.query("""
                SELECT row_to_json(a)::text AS j FROM (SELECT $1::text AS "customerCode",
                       (SELECT row_to_json(t) FROM (SELECT kind, deposit_percent AS "depositPercent", net_days AS "netDays"
                            FROM terms WHERE customer_code = $1) t) AS terms,
                       (SELECT COALESCE(json_object_agg(currency, balance), '{}') FROM customer_credit WHERE customer_code = $1) AS credit,
                       (SELECT COALESCE(sum(outstanding), 0) FROM invoices WHERE customer_code = $1 AND status = 'open') AS outstanding,
                       (SELECT COALESCE(json_agg(i ORDER BY i."issueDate", i."invoiceNumber"), '[]') FROM (SELECT \(invoiceColumns)
                            FROM invoices WHERE customer_code = $1) i) AS invoices
                WHERE EXISTS (SELECT 1 FROM terms WHERE customer_code = $1) OR EXISTS (SELECT 1 FROM orders WHERE customer_code = $1)
                   OR EXISTS (SELECT 1 FROM customer_credit WHERE customer_code = $1)) a
                """, [.text(code)]).first else { throw APIError.notFound("finance has no account for customer \(code)") }
            var account = try JSONSerialization.jsonObject(with: Data(try row.string("j").utf8)) as? [String: Any] ?? [:]
            // Open invoices by age as of the day asked, with the domain's buckets.
            var ageing: [String: Int64] = [:]
            for invoice in account["invoices"] as? [[String: Any]] ?? [] where invoice["status"] as? String == "open" {
                guard let due = (invoice["dueDate"] as? String).flatMap(BusinessDate.init),
                      let outstanding = (invoice["outstanding"] as? NSNumber)?.int64Value else { continue }
                ageing[Ageing.bucket(dueDate: due, asOf: asOf), default: 0] += outstanding
            }
            account["ageing"] = ageing
            return try HTTPJSON.object(account)
        }
        router.put("/customers/:code/terms") { request, context in
            let code = try context.parameters.require("code")
            let body = try await HTTPJSON.decode(Terms.self, request)
            guard PaymentTerms(kind: body.kind, depositPercent: body.depositPercent ?? 0, netDays: body.netDays ?? 0) != nil else {
                throw APIError(.badRequest, "invalid-field",
                               "kind must be prepaid, deposit (depositPercent 1-99, netDays >= 0 for the rest) or net (netDays >= 0)")
            }
            try await env.perform { work in
                try work.transaction.execute("""
                    INSERT INTO terms (customer_code, kind, deposit_percent, net_days) VALUES ($1, $2, $3, $4)
                    ON CONFLICT (customer_code) DO UPDATE SET kind = $2, deposit_percent = $3, net_days = $4
                    """, [.text(code), .text(body.kind), .int(body.depositPercent ?? 0), .int(Int64(body.netDays ?? 0))])
            }
            return try HTTPJSON.object(["customerCode": code, "kind": body.kind])
        }
        router.post("/payments") { request, _ in
            let payment = try await HTTPJSON.decode(RecordPayment.self, request)
            let event = try await env.perform { work in try Billing.record(payment, work) }
            guard let event else {
                return try HTTPJSON.object(["bankReference": payment.bankReference, "note": "recorded before; nothing changed"])
            }
            return try HTTPJSON.encodable(event, status: .created)
        }
        router.post("/collections/run") { request, _ in
            let body = try await HTTPJSON.decode(Collections.self, request)
            let overdue = try await env.perform { work in try Billing.collections(asOf: body.asOf, work) }
            return try HTTPJSON.encodable(["overdue": overdue])
        }
        router.get("/journal") { request, _ in
            let reference = request.uri.queryParameters["reference"].map(String.init)
            return try await HTTPJSON.list(env.pool, """
                SELECT e.id, e.entry_date AS "entryDate", e.memo, e.reference, e.currency,
                       (SELECT json_agg(json_build_object('account', account, 'debit', debit, 'credit', credit))
                        FROM journal_lines WHERE entry_id = e.id) AS lines
                FROM journal_entries e WHERE ($1::text IS NULL OR e.reference = $1 OR e.memo LIKE '%' || $1 || '%')
                ORDER BY e.id DESC LIMIT 1000
                """, [reference.map(PGValue.text) ?? .null])
        }
        router.get("/trial-balance") { _, _ in
            try await HTTPJSON.list(env.pool, """
                SELECT e.currency, l.account, sum(l.debit) AS debit, sum(l.credit) AS credit, sum(l.debit) - sum(l.credit) AS balance
                FROM journal_lines l JOIN journal_entries e ON e.id = l.entry_id GROUP BY e.currency, l.account ORDER BY 1, 2
                """)
        }
    }
}
