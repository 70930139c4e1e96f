#ifndef BIZOPS_CRABBITMQ_SHIM_H
#define BIZOPS_CRABBITMQ_SHIM_H
#include <amqp.h>
#include <amqp_tcp_socket.h>
#include <amqp_ssl_socket.h>
#include <amqp_framing.h>
#include <sys/time.h>

/* amqp_login is C-variadic, which Swift cannot call. */
static inline amqp_rpc_reply_t bz_amqp_login_plain(amqp_connection_state_t state, const char *vhost,
                                                   int channel_max, int frame_max, int heartbeat,
                                                   const char *user, const char *password) {
    return amqp_login(state, vhost, channel_max, frame_max, heartbeat, AMQP_SASL_METHOD_PLAIN, user, password);
}
/* The same, with client properties: a connection name the management UI shows, and the
   capabilities that make the broker tell us when it cancels our consumer or blocks publishers
   (rabbitmq-c merges these with its own default properties). */
static inline amqp_rpc_reply_t bz_amqp_login_named(amqp_connection_state_t state, const char *vhost,
                                                   int channel_max, int frame_max, int heartbeat,
                                                   const char *connection_name, const char *user, const char *password) {
    amqp_table_entry_t capabilities[2];
    capabilities[0].key = amqp_cstring_bytes("consumer_cancel_notify");
    capabilities[0].value.kind = AMQP_FIELD_KIND_BOOLEAN;
    capabilities[0].value.value.boolean = 1;
    capabilities[1].key = amqp_cstring_bytes("connection.blocked");
    capabilities[1].value.kind = AMQP_FIELD_KIND_BOOLEAN;
    capabilities[1].value.value.boolean = 1;
    amqp_table_entry_t properties[2];
    properties[0].key = amqp_cstring_bytes("connection_name");
    properties[0].value.kind = AMQP_FIELD_KIND_UTF8;
    properties[0].value.value.bytes = amqp_cstring_bytes(connection_name);
    properties[1].key = amqp_cstring_bytes("capabilities");
    properties[1].value.kind = AMQP_FIELD_KIND_TABLE;
    properties[1].value.value.table.num_entries = 2;
    properties[1].value.value.table.entries = capabilities;
    amqp_table_t table;
    table.num_entries = 2;
    table.entries = properties;
    return amqp_login_with_properties(state, vhost, channel_max, frame_max, heartbeat, &table,
                                      AMQP_SASL_METHOD_PLAIN, user, password);
}
/* Method ids and flags are cast macros that Swift does not import. */
static const amqp_method_number_t BZ_CONNECTION_CLOSE = AMQP_CONNECTION_CLOSE_METHOD;
static const amqp_method_number_t BZ_CHANNEL_CLOSE = AMQP_CHANNEL_CLOSE_METHOD;
static const amqp_method_number_t BZ_BASIC_ACK = AMQP_BASIC_ACK_METHOD;
static const amqp_method_number_t BZ_BASIC_NACK = AMQP_BASIC_NACK_METHOD;
static const amqp_method_number_t BZ_BASIC_RETURN = AMQP_BASIC_RETURN_METHOD;
static const amqp_method_number_t BZ_BASIC_DELIVER = AMQP_BASIC_DELIVER_METHOD;
static const amqp_method_number_t BZ_BASIC_CANCEL = AMQP_BASIC_CANCEL_METHOD;
static const amqp_method_number_t BZ_CONNECTION_BLOCKED = AMQP_CONNECTION_BLOCKED_METHOD;
static const amqp_method_number_t BZ_CONNECTION_UNBLOCKED = AMQP_CONNECTION_UNBLOCKED_METHOD;
static const amqp_flags_t BZ_FLAG_CONTENT_TYPE = AMQP_BASIC_CONTENT_TYPE_FLAG;
static const amqp_flags_t BZ_FLAG_HEADERS = AMQP_BASIC_HEADERS_FLAG;
static const amqp_flags_t BZ_FLAG_DELIVERY_MODE = AMQP_BASIC_DELIVERY_MODE_FLAG;
static const amqp_flags_t BZ_FLAG_CORRELATION_ID = AMQP_BASIC_CORRELATION_ID_FLAG;
static const amqp_flags_t BZ_FLAG_REPLY_TO = AMQP_BASIC_REPLY_TO_FLAG;
static const amqp_flags_t BZ_FLAG_MESSAGE_ID = AMQP_BASIC_MESSAGE_ID_FLAG;
static const amqp_flags_t BZ_FLAG_TIMESTAMP = AMQP_BASIC_TIMESTAMP_FLAG;
static const amqp_flags_t BZ_FLAG_TYPE = AMQP_BASIC_TYPE_FLAG;
static const amqp_flags_t BZ_FLAG_APP_ID = AMQP_BASIC_APP_ID_FLAG;
static const amqp_flags_t BZ_FLAG_USER_ID = AMQP_BASIC_USER_ID_FLAG;
static const amqp_flags_t BZ_FLAG_EXPIRATION = AMQP_BASIC_EXPIRATION_FLAG;
#endif
