/// Every reason code a service gives, in one place: refusals, rejected orders, unchanged
/// answers and dead-letter reasons. Senders match on them, so they are a type, not strings;
/// `docs/contracts/README.md` documents each one (`check.py` makes sure). A newer producer's
/// code arrives as `.unknown(raw)` and is shown as it came.
public enum ReasonCode: ExtensibleCode {
    // The business state refused a valid command (`refused`; not dead-lettered)
    case awaitingPayment, unknownOrder, notReady, orderCancelled, notDispatched, conflictingPayment, tooLateToCancel, notFound, notAuthorised, notHeld, notOpen, notDelivered, alreadyReceived, unknownWarehouse, unknownSku, invalidReturn
    // An order sales or risk turned down (`sales.order.rejected`, `risk.credit.rejected`, `sales.order.held`)
    case unknownCustomer, currencyMismatch, badQuantity, badPrice, priceOverrideNotAllowed, duplicateOrderRef, creditLimitExceeded, creditBlocked, creditReviewRejected, creditLimitReview, customerOnHold, noCreditProfile, cancelled, creditReview, creditRejected
    // A command that changed nothing (`unchanged`)
    case alreadyDispatched, alreadyDelivered, alreadyRecorded, alreadyHandled, cancellationPending
    // Poison: it can never succeed (`rejected`; dead-lettered)
    case malformedJson, messageTooLarge, invalidField, invalidEnvelope, missingUserId, unknownType, invalidMessage, databaseRejected, retriesExhausted, unknownRoutingKey, noWarehouse
    // Approvals: a decision the request's state or the decider's authority refuses
    case notPending, selfApproval, notApprover
    // A command waiting for an approval (`pending`); an order whose discount was not approved (`sales.order.rejected`)
    case approvalPending, discountRejected
    // Quotes: a step the quote's state refuses
    case quoteExpired, quoteNotFinal, quoteClosed, stageBackwards
    // Contracts: drafting and signing refused by the contract's state or its reviews
    case quoteNotAccepted, contractSigned, reviewIncomplete, reviewRejected
    // An order under a contract or from a quote that sales turned down (`sales.order.rejected`)
    case unknownContract, unknownQuote, contractNotSigned, contractExpired, volumeExceeded, notOnContract
    // Customer files: one customer filed twice
    case duplicateCustomer
    // HTTP only
    case methodNotAllowed, unauthenticated, forbidden
    case unknown(String)

    public static let known: [ReasonCode] = [
        .creditReview, .creditRejected, .methodNotAllowed,
        .awaitingPayment, .unknownOrder, .notReady, .orderCancelled, .notDispatched, .conflictingPayment,
        .tooLateToCancel, .notFound, .notAuthorised, .notHeld, .notOpen, .notDelivered,
        .alreadyReceived, .unknownWarehouse, .unknownSku, .invalidReturn, .unknownCustomer, .currencyMismatch,
        .badQuantity, .badPrice, .priceOverrideNotAllowed, .duplicateOrderRef, .creditLimitExceeded, .creditBlocked,
        .creditReviewRejected, .creditLimitReview, .customerOnHold, .noCreditProfile, .cancelled, .alreadyDispatched,
        .alreadyDelivered, .alreadyRecorded, .alreadyHandled, .cancellationPending, .malformedJson, .invalidField,
        .invalidEnvelope, .unknownType, .invalidMessage, .databaseRejected, .retriesExhausted, .unknownRoutingKey,
        .noWarehouse, .missingUserId, .messageTooLarge, .notPending, .selfApproval, .notApprover, .approvalPending, .discountRejected, .unauthenticated, .forbidden,
        .quoteExpired, .quoteNotFinal, .quoteClosed, .stageBackwards,
        .quoteNotAccepted, .contractSigned, .reviewIncomplete, .reviewRejected,
        .unknownContract, .unknownQuote, .contractNotSigned, .contractExpired, .volumeExceeded, .notOnContract, .duplicateCustomer,
    ]

    public var rawValue: String {
        switch self {
        case .awaitingPayment: "awaiting-payment"
        case .unknownOrder: "unknown-order"
        case .notReady: "not-ready"
        case .orderCancelled: "order-cancelled"
        case .notDispatched: "not-dispatched"
        case .conflictingPayment: "conflicting-payment"
        case .tooLateToCancel: "too-late-to-cancel"
        case .notFound: "not-found"
        case .notAuthorised: "not-authorised"
        case .notHeld: "not-held"
        case .notOpen: "not-open"
        case .notDelivered: "not-delivered"
        case .alreadyReceived: "already-received"
        case .unknownWarehouse: "unknown-warehouse"
        case .unknownSku: "unknown-sku"
        case .invalidReturn: "invalid-return"
        case .unknownCustomer: "unknown-customer"
        case .currencyMismatch: "currency-mismatch"
        case .badQuantity: "bad-quantity"
        case .badPrice: "bad-price"
        case .priceOverrideNotAllowed: "price-override-not-allowed"
        case .duplicateOrderRef: "duplicate-order-ref"
        case .creditLimitExceeded: "credit-limit-exceeded"
        case .creditBlocked: "credit-blocked"
        case .creditReviewRejected: "credit-review-rejected"
        case .creditLimitReview: "credit-limit-review"
        case .customerOnHold: "customer-on-hold"
        case .noCreditProfile: "no-credit-profile"
        case .cancelled: "cancelled"
        case .creditReview: "credit-review"
        case .creditRejected: "credit-rejected"
        case .alreadyDispatched: "already-dispatched"
        case .alreadyDelivered: "already-delivered"
        case .alreadyRecorded: "already-recorded"
        case .alreadyHandled: "already-handled"
        case .cancellationPending: "cancellation-pending"
        case .malformedJson: "malformed-json"
        case .messageTooLarge: "message-too-large"
        case .invalidField: "invalid-field"
        case .invalidEnvelope: "invalid-envelope"
        case .missingUserId: "missing-user-id"
        case .unknownType: "unknown-type"
        case .invalidMessage: "invalid-message"
        case .databaseRejected: "database-rejected"
        case .retriesExhausted: "retries-exhausted"
        case .unknownRoutingKey: "unknown-routing-key"
        case .noWarehouse: "no-warehouse"
        case .methodNotAllowed: "method-not-allowed"
        case .unauthenticated: "unauthenticated"
        case .forbidden: "forbidden"
        case .notPending: "not-pending"
        case .selfApproval: "self-approval"
        case .notApprover: "not-approver"
        case .approvalPending: "approval-pending"
        case .discountRejected: "discount-rejected"
        case .quoteExpired: "quote-expired"
        case .quoteNotFinal: "quote-not-final"
        case .quoteClosed: "quote-closed"
        case .stageBackwards: "stage-backwards"
        case .quoteNotAccepted: "quote-not-accepted"
        case .contractSigned: "contract-signed"
        case .reviewIncomplete: "review-incomplete"
        case .reviewRejected: "review-rejected"
        case .unknownContract: "unknown-contract"
        case .unknownQuote: "unknown-quote"
        case .contractNotSigned: "contract-not-signed"
        case .contractExpired: "contract-expired"
        case .volumeExceeded: "volume-exceeded"
        case .notOnContract: "not-on-contract"
        case .duplicateCustomer: "duplicate-customer"
        case .unknown(let raw): raw
        }
    }
}
