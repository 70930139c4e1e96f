import Testing
@testable import ServiceKit

@Suite struct ServiceConfigTests {
    let good = ["AMQP_URL": "amqp://sales:pw@127.0.0.1:5672/bizops",
                "DATABASE_URL": "postgresql://sales:pw@127.0.0.1:5432/bizops"]

    @Test func defaultsApply() throws {
        let config = try ServiceConfig.fromEnvironment(good, defaultPort: 8081)
        #expect(config.httpPort == 8081)
        #expect(config.logLevel == .info)
        #expect(config.logFormat == .text)
        #expect(config.amqp.vhost == "bizops")
    }

    @Test func everyProblemIsListedAtOnce() {
        do {
            _ = try ServiceConfig.fromEnvironment(["HTTP_PORT": "99999", "LOG_FORMAT": "xml"], defaultPort: 8081)
            Issue.record("expected an error")
        } catch let error as ServiceConfig.Invalid {
            let text = error.description
            #expect(text.contains("AMQP_URL is missing"))
            #expect(text.contains("DATABASE_URL is missing"))
            #expect(text.contains("HTTP_PORT=99999"))
            #expect(text.contains("LOG_FORMAT=xml"))
            #expect(error.problems.count == 4)
        } catch { Issue.record("wrong error \(error)") }
    }

    @Test func malformedURLsNameTheVariable() {
        var env = good
        env["AMQP_URL"] = "rabbit://nowhere"
        env["DATABASE_URL"] = "postgresql://host-without-db"
        do { _ = try ServiceConfig.fromEnvironment(env, defaultPort: 1); Issue.record("expected an error") } catch let error as ServiceConfig.Invalid {
            #expect(error.problems.contains { $0.hasPrefix("AMQP_URL is invalid") })
            #expect(error.problems.contains { $0.hasPrefix("DATABASE_URL is invalid") })
        } catch { Issue.record("wrong error \(error)") }
    }
}
