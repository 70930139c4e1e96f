import Foundation

/// `complaint.open` on `bizops.ingress` (the phone desk, the mailbox, the online chat).
public struct OpenComplaint: CommandContract, Equatable {
    public static let messageType = "complaint.open.v1"
    public static let routingKey = "complaint.open"
    public static let channels = ["phone", "email", "online"]
    public static let categories = ["delivery", "damaged", "quality", "billing", "service", "other"]

    public let channel: String
    public let orderRef: String
    public let category: String
    public let description: String
    /// Who complained (a name, a phone number, an address), to keep them informed.
    public let contact: String?

    public init(channel: String, orderRef: String, category: String, description: String, contact: String? = nil) {
        self.channel = channel; self.orderRef = orderRef; self.category = category; self.description = description
        self.contact = contact
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        channel = try c.decode(String.self, forKey: .channel)
        orderRef = try c.decode(String.self, forKey: .orderRef)
        category = try c.decode(String.self, forKey: .category)
        description = try c.decode(String.self, forKey: .description)
        contact = try c.decodeIfPresent(String.self, forKey: .contact)
        try Validate.oneOf(channel, Self.channels, "channel")
        try Validate.notBlank(orderRef, "orderRef", max: 64)
        try Validate.oneOf(category, Self.categories, "category")
        try Validate.notBlank(description, "description", max: 4000)
    }
}
