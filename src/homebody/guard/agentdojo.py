"""AgentDojo's tools (suites workspace, travel, banking, slack of v1.2.2) as homebody declarations.

Each tool of the four suites is mapped onto the effects and argument roles homebody's own tools declare,
so `guard assess` judges AgentDojo's proposed calls with the same code as the agent loop's. A tool not
in this table gets a declaration inferred from its name and arguments (`infer.infer_spec`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from homebody.guard.infer import infer_spec
from homebody.tools.effects import Effect, Role, ToolSpec

R, W, S, M, D, C, P = (
    Effect.READ,
    Effect.LOCAL_WRITE,
    Effect.SEND,
    Effect.MONEY,
    Effect.DELETE,
    Effect.CREDENTIALS,
    Effect.PUBLISH,
)


def _spec(name: str, effects: set[Effect], reversible: bool, description: str, /, **roles: Role) -> ToolSpec:
    return ToolSpec(name, description, frozenset(effects), reversible, dict(roles))


_EMAIL_ROLES = {
    "recipients": Role.RECIPIENT,
    "cc": Role.RECIPIENT,
    "bcc": Role.RECIPIENT,
    "subject": Role.SUBJECT,
    "body": Role.CONTENT,
    "attachments": Role.ATTACHMENT,
}
_EVENT_ROLES = {
    "title": Role.SUBJECT,
    "description": Role.CONTENT,
    "start_time": Role.TIME,
    "end_time": Role.TIME,
    "participants": Role.RECIPIENT,
    "location": Role.CONTENT,
}
_PAYMENT_ROLES = {
    "recipient": Role.PAYEE,
    "amount": Role.AMOUNT,
    "subject": Role.CONTENT,
    "date": Role.TIME,
}

_READS = {
    # workspace
    "get_unread_emails": "the unread e-mails",
    "get_sent_emails": "the sent e-mails",
    "get_received_emails": "the received e-mails",
    "get_draft_emails": "the draft e-mails",
    "search_emails": "e-mails matching a query",
    "search_contacts_by_name": "contacts by name",
    "search_contacts_by_email": "contacts by address",
    "get_current_day": "today's date",
    "search_calendar_events": "calendar events matching a query",
    "get_day_calendar_events": "one day's appointments",
    "search_files_by_filename": "files by name",
    "get_file_by_id": "one file",
    "list_files": "every file in the drive",
    "search_files": "files by content",
    # travel
    "get_user_information": "the user's profile",
    "get_all_hotels_in_city": "hotels in a city",
    "get_hotels_prices": "hotel prices",
    "get_rating_reviews_for_hotels": "hotel reviews",
    "get_hotels_address": "a hotel's address",
    "get_all_restaurants_in_city": "restaurants in a city",
    "get_cuisine_type_for_restaurants": "restaurants' cuisine",
    "get_restaurants_address": "restaurants' addresses",
    "get_rating_reviews_for_restaurants": "restaurant reviews",
    "get_dietary_restrictions_for_all_restaurants": "restaurants' dietary options",
    "get_contact_information_for_restaurants": "restaurants' contact details",
    "get_price_for_restaurants": "restaurant prices",
    "check_restaurant_opening_hours": "opening hours",
    "get_all_car_rental_companies_in_city": "car rental companies in a city",
    "get_car_types_available": "car types",
    "get_rating_reviews_for_car_rental": "car rental reviews",
    "get_car_fuel_options": "fuel options",
    "get_car_rental_address": "a car rental's address",
    "get_car_price_per_day": "car rental prices",
    "get_flight_information": "flights between two cities",
    # banking
    "get_iban": "the user's IBAN",
    "get_balance": "the account balance",
    "get_most_recent_transactions": "recent transactions",
    "get_scheduled_transactions": "scheduled transactions",
    "read_file": "a file's contents",
    "get_user_info": "the user's details",
    # slack
    "get_channels": "the channels",
    "read_channel_messages": "a channel's messages",
    "read_inbox": "a user's direct messages",
    "get_users_in_channel": "a channel's members",
}

SPECS: Mapping[str, ToolSpec] = {
    **{name: _spec(name, {R}, True, f"reads {what}") for name, what in _READS.items()},
    "get_webpage": _spec("get_webpage", {R}, True, "fetches a web page", url=Role.URL),
    # workspace
    "send_email": _spec("send_email", {S}, False, "sends an e-mail", **_EMAIL_ROLES),
    "delete_email": _spec("delete_email", {D}, False, "deletes an e-mail", email_id=Role.TARGET),
    "create_calendar_event": _spec(
        "create_calendar_event", {W, S}, True, "creates an event and invites its participants", **_EVENT_ROLES
    ),
    "cancel_calendar_event": _spec(
        "cancel_calendar_event", {D, S}, False, "cancels an event for everyone", event_id=Role.TARGET
    ),
    "reschedule_calendar_event": _spec(
        "reschedule_calendar_event",
        {W, S},
        True,
        "moves an event and tells its participants",
        event_id=Role.TARGET,
        new_start_time=Role.TIME,
        new_end_time=Role.TIME,
    ),
    "add_calendar_event_participants": _spec(
        "add_calendar_event_participants",
        {S},
        True,
        "invites people to an event",
        event_id=Role.TARGET,
        participants=Role.RECIPIENT,
    ),
    "append_to_file": _spec(
        "append_to_file", {W}, True, "adds text to a file", file_id=Role.TARGET, content=Role.CONTENT
    ),
    "create_file": _spec(
        "create_file", {W}, True, "creates a file", filename=Role.PATH, content=Role.CONTENT
    ),
    "delete_file": _spec("delete_file", {D}, False, "deletes a file", file_id=Role.TARGET),
    "share_file": _spec(
        "share_file",
        {S},
        True,
        "gives someone access to a file",
        file_id=Role.ATTACHMENT,
        email=Role.RECIPIENT,
    ),
    # travel
    "reserve_hotel": _spec(
        "reserve_hotel", {M}, True, "books a hotel", hotel=Role.PAYEE, start_day=Role.TIME, end_day=Role.TIME
    ),
    "reserve_car_rental": _spec(
        "reserve_car_rental",
        {M},
        True,
        "books a rental car",
        company=Role.PAYEE,
        start_time=Role.TIME,
        end_time=Role.TIME,
    ),
    "reserve_restaurant": _spec(
        "reserve_restaurant", {M}, True, "books a table", restaurant=Role.PAYEE, start_time=Role.TIME
    ),
    # banking
    "send_money": _spec("send_money", {M}, False, "sends money now", **_PAYMENT_ROLES),
    "schedule_transaction": _spec(
        "schedule_transaction", {M}, True, "schedules a payment", **_PAYMENT_ROLES, recurring=Role.TIME
    ),
    "update_scheduled_transaction": _spec(
        "update_scheduled_transaction",
        {M},
        True,
        "changes a scheduled payment",
        id=Role.TARGET,
        **_PAYMENT_ROLES,
        recurring=Role.TIME,
    ),
    "update_password": _spec(
        "update_password", {C}, False, "changes the account password", password=Role.SECRET
    ),
    "update_user_info": _spec(
        "update_user_info",
        {C},
        True,
        "changes the account holder's details",
        first_name=Role.ACCOUNT,
        last_name=Role.ACCOUNT,
        street=Role.ACCOUNT,
        city=Role.ACCOUNT,
    ),
    # slack
    "add_user_to_channel": _spec(
        "add_user_to_channel",
        {S},
        True,
        "gives a user a channel's messages",
        user=Role.RECIPIENT,
        channel=Role.TARGET,
    ),
    "send_direct_message": _spec(
        "send_direct_message",
        {S},
        False,
        "sends a direct message",
        recipient=Role.RECIPIENT,
        body=Role.CONTENT,
    ),
    "send_channel_message": _spec(
        "send_channel_message",
        {S},
        False,
        "posts to a channel's members",
        channel=Role.RECIPIENT,
        body=Role.CONTENT,
    ),
    "invite_user_to_slack": _spec(
        "invite_user_to_slack",
        {S},
        True,
        "invites someone into the workspace",
        user=Role.RECIPIENT,
        user_email=Role.RECIPIENT,
    ),
    "remove_user_from_slack": _spec(
        "remove_user_from_slack", {D}, False, "removes a user from the workspace", user=Role.TARGET
    ),
    "post_webpage": _spec(
        "post_webpage", {P}, False, "publishes a web page", url=Role.URL, content=Role.CONTENT
    ),
}


def spec_for(name: str, args: Iterable[str] = (), description: str = "") -> ToolSpec:
    """The declaration of an AgentDojo tool, or one inferred from the name and arguments of any other."""
    return SPECS.get(name) or infer_spec(name, args, description)
