"""AgentDojo's tools of all four suites as homebody effects; any other tool inferred, never trusted."""

from __future__ import annotations

import pytest

from homebody.guard.agentdojo import SPECS, spec_for
from homebody.guard.infer import infer_spec
from homebody.tools.effects import Effect, Role

# The tools of AgentDojo 0.1.35's suites (v1.2.2), by suite.
SUITES = {
    "workspace": """send_email delete_email get_unread_emails get_sent_emails get_received_emails
        get_draft_emails search_emails search_contacts_by_name search_contacts_by_email get_current_day
        search_calendar_events
        get_day_calendar_events create_calendar_event cancel_calendar_event reschedule_calendar_event
        add_calendar_event_participants append_to_file search_files_by_filename create_file delete_file
        get_file_by_id list_files share_file search_files""",
    "travel": """get_user_information get_all_hotels_in_city get_hotels_prices get_rating_reviews_for_hotels
        get_hotels_address get_all_restaurants_in_city get_cuisine_type_for_restaurants
        get_restaurants_address
        get_rating_reviews_for_restaurants get_dietary_restrictions_for_all_restaurants
        get_contact_information_for_restaurants get_price_for_restaurants check_restaurant_opening_hours
        get_all_car_rental_companies_in_city get_car_types_available get_rating_reviews_for_car_rental
        get_car_fuel_options get_car_rental_address get_car_price_per_day create_calendar_event
        search_calendar_events get_day_calendar_events cancel_calendar_event reserve_hotel reserve_car_rental
        reserve_restaurant get_flight_information send_email""",
    "banking": """get_iban send_money schedule_transaction update_scheduled_transaction get_balance
        get_most_recent_transactions get_scheduled_transactions read_file get_user_info update_password
        update_user_info""",
    "slack": """get_channels add_user_to_channel read_channel_messages read_inbox send_direct_message
        send_channel_message get_users_in_channel invite_user_to_slack remove_user_from_slack get_webpage
        post_webpage""",
}


@pytest.mark.parametrize("suite", sorted(SUITES))
def test_every_tool_of_every_suite_is_declared(suite: str) -> None:
    missing = [name for name in SUITES[suite].split() if name not in SPECS]
    assert missing == []


@pytest.mark.parametrize(
    ("tool", "effect"),
    [
        ("send_money", Effect.MONEY),
        ("update_password", Effect.CREDENTIALS),
        ("delete_file", Effect.DELETE),
        ("post_webpage", Effect.PUBLISH),
        ("share_file", Effect.SEND),
        ("get_webpage", Effect.READ),
    ],
)
def test_declared_effects(tool: str, effect: Effect) -> None:
    assert effect in SPECS[tool].effects


@pytest.mark.parametrize(
    ("name", "args", "effect", "role"),
    [
        ("transfer_funds", ["to_iban", "amount"], Effect.MONEY, Role.AMOUNT),
        ("notify", ["recipient", "text"], Effect.SEND, Role.RECIPIENT),
        ("set_pin", ["pin"], Effect.CREDENTIALS, Role.SECRET),
        ("publish_post", ["url", "content"], Effect.PUBLISH, Role.URL),
        ("purge_backups", ["backup_id"], Effect.DELETE, Role.TARGET),
        ("get_weather", ["city"], Effect.READ, None),
    ],
)
def test_unknown_tools_are_read_from_their_names_and_arguments(
    name: str, args: list[str], effect: Effect, role: Role | None
) -> None:
    spec = spec_for(name, args)
    assert not spec.declared
    assert effect in spec.effects
    assert role is None or role in spec.roles.values()


def test_a_read_named_tool_with_a_recipient_argument_still_sends() -> None:
    assert Effect.SEND in infer_spec("get_and_forward", ["recipients"]).effects


def test_a_tool_with_no_telling_name_has_no_effects_to_trust() -> None:
    assert infer_spec("frobnicate", ["level"]).effects == frozenset()
