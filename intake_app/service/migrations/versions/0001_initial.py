"""Initial schema: identity, policy, relay outbox and cache, escalations, the local helpdesk.

Revision ID: 0001
Revises:
Create Date: 2026-11-30

Times are stored as naive UTC ``DateTime`` (``db.types.UTCDateTime`` adds the zone back).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('companies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('catch_all_name', sa.String(length=200), nullable=False),
    sa.Column('catch_all_email', sa.String(length=320), nullable=False),
    sa.Column('catch_all_phone', sa.String(length=50), nullable=False),
    sa.Column('policy_json', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_companies')),
    sa.UniqueConstraint('name', name=op.f('uq_companies_name'))
    )
    op.create_table('kv_state',
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_kv_state'))
    )
    op.create_table('local_tickets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_ticket_id', sa.String(length=64), nullable=True),
    sa.Column('reference', sa.String(length=20), nullable=False),
    sa.Column('company', sa.String(length=200), nullable=False),
    sa.Column('summary', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=100), nullable=False),
    sa.Column('priority', sa.Integer(), nullable=True),
    sa.Column('requested_priority', sa.Integer(), nullable=True),
    sa.Column('technician', sa.String(length=200), nullable=False),
    sa.Column('appointment_start', sa.DateTime(), nullable=True),
    sa.Column('appointment_end', sa.DateTime(), nullable=True),
    sa.Column('contact_json', sa.Text(), nullable=False),
    sa.Column('contact_method', sa.String(length=20), nullable=False),
    sa.Column('contact_method_detail', sa.String(length=320), nullable=False),
    sa.Column('availability_json', sa.Text(), nullable=False),
    sa.Column('billing_marker', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('status_changed_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_local_tickets')),
    sa.UniqueConstraint('client_ticket_id', name=op.f('uq_local_tickets_client_ticket_id'))
    )
    with op.batch_alter_table('local_tickets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_local_tickets_updated_at'), ['updated_at'], unique=False)

    op.create_table('technicians',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('revoked_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_technicians')),
    sa.UniqueConstraint('name', name=op.f('uq_technicians_name')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_technicians_token_hash'))
    )
    op.create_table('announcements',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('severity', sa.String(length=20), nullable=False),
    sa.Column('starts', sa.DateTime(), nullable=True),
    sa.Column('ends', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['companies.id'], name=op.f('fk_announcements_company_id_companies')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_announcements'))
    )
    with op.batch_alter_table('announcements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_announcements_company_id'), ['company_id'], unique=False)

    op.create_table('contacts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('email', sa.String(length=320), nullable=False),
    sa.Column('phone', sa.String(length=50), nullable=False),
    sa.Column('is_primary', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['companies.id'], name=op.f('fk_contacts_company_id_companies')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contacts')),
    sa.UniqueConstraint('company_id', 'email', name='uq_contacts_company_email')
    )
    op.create_table('devices',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('device_name', sa.String(length=200), nullable=False),
    sa.Column('user_name', sa.String(length=200), nullable=False),
    sa.Column('user_email', sa.String(length=320), nullable=False),
    sa.Column('user_phone', sa.String(length=50), nullable=False),
    sa.Column('verified_email', sa.String(length=320), nullable=True),
    sa.Column('verified_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(), nullable=True),
    sa.Column('revoked_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['company_id'], ['companies.id'], name=op.f('fk_devices_company_id_companies')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_devices')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_devices_token_hash'))
    )
    op.create_table('enrolment_keys',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('key_hash', sa.String(length=64), nullable=False),
    sa.Column('label', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('revoked_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['company_id'], ['companies.id'], name=op.f('fk_enrolment_keys_company_id_companies')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_enrolment_keys')),
    sa.UniqueConstraint('key_hash', name=op.f('uq_enrolment_keys_key_hash'))
    )
    op.create_table('local_attachments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=100), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('media_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('stored_name', sa.String(length=100), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['ticket_id'], ['local_tickets.id'], name=op.f('fk_local_attachments_ticket_id_local_tickets')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_local_attachments')),
    sa.UniqueConstraint('stored_name', name=op.f('uq_local_attachments_stored_name')),
    sa.UniqueConstraint('ticket_id', 'key', name='uq_local_attachments_ticket_key')
    )
    with op.batch_alter_table('local_attachments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_local_attachments_ticket_id'), ['ticket_id'], unique=False)

    op.create_table('local_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('author', sa.String(length=320), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('old', sa.Text(), nullable=True),
    sa.Column('new', sa.Text(), nullable=True),
    sa.Column('internal', sa.Boolean(), nullable=False),
    sa.Column('dedupe_key', sa.String(length=100), nullable=True),
    sa.ForeignKeyConstraint(['ticket_id'], ['local_tickets.id'], name=op.f('fk_local_events_ticket_id_local_tickets')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_local_events')),
    sa.UniqueConstraint('dedupe_key', name=op.f('uq_local_events_dedupe_key'))
    )
    with op.batch_alter_table('local_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_local_events_ticket_id'), ['ticket_id'], unique=False)

    op.create_table('tickets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=True),
    sa.Column('device_id', sa.String(length=32), nullable=True),
    sa.Column('client_ticket_id', sa.String(length=64), nullable=True),
    sa.Column('origin', sa.String(length=20), nullable=False),
    sa.Column('draft_json', sa.Text(), nullable=True),
    sa.Column('summary', sa.String(length=200), nullable=False),
    sa.Column('contact_email', sa.String(length=320), nullable=False),
    sa.Column('requested_priority', sa.Integer(), nullable=True),
    sa.Column('relay_state', sa.String(length=20), nullable=False),
    sa.Column('helpdesk_id', sa.String(length=64), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=False),
    sa.Column('forwarded_at', sa.DateTime(), nullable=True),
    sa.Column('hd_status', sa.String(length=100), nullable=True),
    sa.Column('hd_priority', sa.Integer(), nullable=True),
    sa.Column('hd_technician', sa.String(length=200), nullable=False),
    sa.Column('hd_appointment_json', sa.Text(), nullable=True),
    sa.Column('hd_contact_json', sa.Text(), nullable=True),
    sa.Column('hd_summary', sa.String(length=200), nullable=True),
    sa.Column('hd_description', sa.Text(), nullable=True),
    sa.Column('hd_updated_at', sa.DateTime(), nullable=True),
    sa.Column('timeline_json', sa.Text(), nullable=False),
    sa.Column('synced_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['companies.id'], name=op.f('fk_tickets_company_id_companies')),
    sa.ForeignKeyConstraint(['device_id'], ['devices.id'], name=op.f('fk_tickets_device_id_devices')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tickets')),
    sa.UniqueConstraint('company_id', 'client_ticket_id', name='uq_tickets_company_client_ticket_id'),
    sa.UniqueConstraint('helpdesk_id', name=op.f('uq_tickets_helpdesk_id'))
    )
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tickets_company_id'), ['company_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_tickets_contact_email'), ['contact_email'], unique=False)
        batch_op.create_index(batch_op.f('ix_tickets_device_id'), ['device_id'], unique=False)
        batch_op.create_index('ix_tickets_relay_due', ['relay_state', 'next_attempt_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_tickets_updated_at'), ['updated_at'], unique=False)

    op.create_table('verification_codes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('device_id', sa.String(length=32), nullable=False),
    sa.Column('email', sa.String(length=320), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.Column('used_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['device_id'], ['devices.id'], name=op.f('fk_verification_codes_device_id_devices')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_verification_codes'))
    )
    with op.batch_alter_table('verification_codes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_verification_codes_device_id'), ['device_id'], unique=False)

    op.create_table('escalations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=True),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('fee', sa.String(length=50), nullable=False),
    sa.Column('requested_by', sa.String(length=320), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['companies.id'], name=op.f('fk_escalations_company_id_companies')),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_escalations_ticket_id_tickets')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_escalations'))
    )
    with op.batch_alter_table('escalations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_escalations_company_id'), ['company_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_escalations_ticket_id'), ['ticket_id'], unique=False)

    op.create_table('ticket_attachments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=100), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('media_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('stored_name', sa.String(length=100), nullable=False),
    sa.Column('forwarded_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_ticket_attachments_ticket_id_tickets')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ticket_attachments')),
    sa.UniqueConstraint('stored_name', name=op.f('uq_ticket_attachments_stored_name')),
    sa.UniqueConstraint('ticket_id', 'key', name='uq_ticket_attachments_ticket_key')
    )
    with op.batch_alter_table('ticket_attachments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ticket_attachments_ticket_id'), ['ticket_id'], unique=False)

    op.create_table('escalation_audit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('escalation_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('actor', sa.String(length=320), nullable=False),
    sa.Column('action', sa.String(length=20), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('channel', sa.String(length=20), nullable=False),
    sa.Column('written_at', sa.DateTime(), nullable=True),
    sa.Column('write_error', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['escalation_id'], ['escalations.id'], name=op.f('fk_escalation_audit_escalation_id_escalations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_escalation_audit')),
    sa.UniqueConstraint('escalation_id', 'seq', name='uq_escalation_audit_escalation_seq')
    )
    with op.batch_alter_table('escalation_audit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_escalation_audit_escalation_id'), ['escalation_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('escalation_audit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_escalation_audit_escalation_id'))

    op.drop_table('escalation_audit')
    with op.batch_alter_table('ticket_attachments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ticket_attachments_ticket_id'))

    op.drop_table('ticket_attachments')
    with op.batch_alter_table('escalations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_escalations_ticket_id'))
        batch_op.drop_index(batch_op.f('ix_escalations_company_id'))

    op.drop_table('escalations')
    with op.batch_alter_table('verification_codes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_verification_codes_device_id'))

    op.drop_table('verification_codes')
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tickets_updated_at'))
        batch_op.drop_index('ix_tickets_relay_due')
        batch_op.drop_index(batch_op.f('ix_tickets_device_id'))
        batch_op.drop_index(batch_op.f('ix_tickets_contact_email'))
        batch_op.drop_index(batch_op.f('ix_tickets_company_id'))

    op.drop_table('tickets')
    with op.batch_alter_table('local_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_local_events_ticket_id'))

    op.drop_table('local_events')
    with op.batch_alter_table('local_attachments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_local_attachments_ticket_id'))

    op.drop_table('local_attachments')
    op.drop_table('enrolment_keys')
    op.drop_table('devices')
    op.drop_table('contacts')
    with op.batch_alter_table('announcements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_announcements_company_id'))

    op.drop_table('announcements')
    op.drop_table('technicians')
    with op.batch_alter_table('local_tickets', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_local_tickets_updated_at'))

    op.drop_table('local_tickets')
    op.drop_table('kv_state')
    op.drop_table('companies')
